class CrossAttention(SelfAttention):
    """The decoder's attention to the encoder output (nn.MultiheadAttention's names, as
    `SelfAttention`): queries from the decoder, keys and values from `memory`, the
    source's padding hidden."""

    def forward(self, x, memory, mask):
        d = x.shape[2]
        w, b = self.in_proj_weight, self.in_proj_bias
        q = F.linear(x, w[:d], b[:d])
        k, v = F.linear(memory, w[d:], b[d:]).split(d, dim=2)
        return self.out_proj(attend(q, k, v, self.heads, False, mask))


class EncoderBlock(nn.Module):
    """A pre-LN encoder block: x + self_attn(norm1(x)), then x + MLP(norm2(x)), the MLP
    linear1, GELU (tanh form, as gradlab computes it), linear2."""

    def __init__(self, dim, heads, ff, eps):
        super().__init__()
        self.self_attn = SelfAttention(dim, heads, causal=False)
        self.linear1, self.linear2 = nn.Linear(dim, ff), nn.Linear(ff, dim)
        self.norm1, self.norm2 = nn.LayerNorm(dim, eps=eps), nn.LayerNorm(dim, eps=eps)

    def forward(self, x, mask):
        x = x + self.self_attn(self.norm1(x), mask)
        return x + self.linear2(F.gelu(self.linear1(self.norm2(x)), approximate="tanh"))


class DecoderBlock(nn.Module):
    """A pre-LN decoder block: causal self-attention over the target (its padding
    hidden), cross-attention to the encoder output (the source's padding hidden), MLP;
    each on its own layer norm, each added to the stream."""

    def __init__(self, dim, heads, ff, eps):
        super().__init__()
        self.self_attn = SelfAttention(dim, heads, causal=True)
        self.multihead_attn = CrossAttention(dim, heads, causal=False)
        self.linear1, self.linear2 = nn.Linear(dim, ff), nn.Linear(ff, dim)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(dim, eps=eps) for _ in range(3))

    def forward(self, y, memory, tgt_mask, src_mask):
        y = y + self.self_attn(self.norm1(y), tgt_mask)
        y = y + self.multihead_attn(self.norm2(y), memory, src_mask)
        return y + self.linear2(F.gelu(self.linear1(self.norm3(y)), approximate="tanh"))


class Stage(nn.Module):
    """The encoder's or the decoder's blocks (`layers.N`) and final layer norm (`norm`)."""

    def __init__(self, blocks, dim, eps):
        super().__init__()
        self.layers = nn.ModuleList(blocks)
        self.norm = nn.LayerNorm(dim, eps=eps)


class Seq2Seq(nn.Module):
    """gradlab's encoder-decoder transformer (the date translator), with its parameter
    names (nn.Transformer(norm_first=True)'s, plus src_embed, tgt_embed, src_pos, tgt_pos
    and head). Token id 0 is padding on both sides: hidden from every attention's keys.
    A data row holds `source_len` source ids, then the decoder's input (`start` and the
    target shifted right); the output is the next target id's logits at each position."""

    def __init__(self, src_vocab, tgt_vocab, dim, heads, ff, encoder_layers, decoder_layers,
                 max_src, max_tgt, eps, source_len, start, end, decode_len, decode_chunk):
        super().__init__()
        self.source_len, self.start, self.end = source_len, start, end
        self.decode_len, self.decode_chunk = decode_len, decode_chunk
        self.src_embed, self.tgt_embed = TokenEmbedding(src_vocab, dim), TokenEmbedding(tgt_vocab, dim)
        self.src_pos, self.tgt_pos = Position(max_src, dim), Position(max_tgt, dim)
        self.encoder = Stage([EncoderBlock(dim, heads, ff, eps) for _ in range(encoder_layers)], dim, eps)
        self.decoder = Stage([DecoderBlock(dim, heads, ff, eps) for _ in range(decoder_layers)], dim, eps)
        self.head = nn.Linear(dim, tgt_vocab)

    def encode(self, src):
        """The encoder output [B, S, D] for source ids [B, S]."""
        mask = src > 0
        h = self.src_pos(self.src_embed(src))
        for block in self.encoder.layers:
            h = block(h, mask)
        return self.encoder.norm(h)

    def decode(self, src, memory, tgt):
        """Logits [B, T, V] for the decoder's input ids [B, T], given `memory`, the
        encoder output of `src`."""
        y = self.tgt_pos(self.tgt_embed(tgt))
        for block in self.decoder.layers:
            y = block(y, memory, tgt > 0, src > 0)
        return self.head(self.decoder.norm(y))

    def forward(self, x):
        src, tgt = x[:, : self.source_len], x[:, self.source_len :]
        return self.decode(src, self.encode(src), tgt)

    @torch.no_grad()
    def greedy(self, src):
        """gradlab's greedy decoding of source ids [N, S], `decode_chunk` rows at a time:
        from `start`, at each step the most likely token that is neither padding nor
        `start` (the lower id on a tie), until `end` or `decode_len` tokens; a finished
        row is fed padding. Returns each row's tokens without start and end."""
        out = []
        for chunk in src.split(self.decode_chunk):
            memory = self.encode(chunk)
            seqs = torch.full((chunk.shape[0], 1), self.start, dtype=torch.long, device=chunk.device)
            done = torch.zeros(chunk.shape[0], dtype=torch.bool, device=chunk.device)
            for _ in range(self.decode_len):
                logits = self.decode(chunk, memory, seqs)[:, -1].float()
                logits[:, [0, self.start]] = float("-inf")
                token = logits.argmax(dim=1).masked_fill(done, 0)
                done |= token == self.end
                seqs = torch.cat([seqs, token[:, None]], dim=1)
                if bool(done.all()):
                    break
            for row in seqs[:, 1:].tolist():
                kept = []
                for i in row:
                    if i in (0, self.end):
                        break
                    kept.append(i)
                out.append(kept)
        return out
