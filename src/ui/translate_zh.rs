//! Chinese for the translator's interface strings: the data box, the encoder-decoder's
//! sizes, the translation box with its cross-attention map, and its metrics.

/// The Chinese of `en`, when it is one of the translator's strings.
pub fn zh(en: &str) -> Option<&'static str> {
    Some(match en {
        "dates written in 14 human formats, each with its ISO date, generated from the seed; \
         the test dates are held out of training" => {
            "按随机种子生成的日期：14 种常见写法，各配一个 ISO 日期；测试集的日期不参与训练"
        }
        "An encoder-decoder transformer: the encoder reads the date as written, the decoder \
         writes the ISO date one character at a time, reading the encoder through \
         cross-attention." => {
            "编码器-解码器 Transformer：编码器读入原样写出的日期，解码器借助交叉注意力参考编码器的结果，逐个字符写出 ISO 日期。"
        }
        "Width" => "模型宽度",
        "Size of every token's vector (the model width)" => "每个词元向量的长度（模型宽度）",
        "Heads" => "注意力头数",
        "Attention heads per attention layer (they must divide the width)" => {
            "每个注意力层的头数（必须能整除模型宽度）"
        }
        "MLP width" => "MLP 宽度",
        "Hidden width of each block's MLP" => "每个块中 MLP 的隐藏层宽度",
        "Encoder blocks" => "编码器块数",
        "Transformer blocks reading the source" => "读取原文的 Transformer 块",
        "Decoder blocks" => "解码器块数",
        "Transformer blocks writing the ISO date" => "写出 ISO 日期的 Transformer 块",
        "Translate a date" => "翻译一个日期",
        "Write a date in any of the formats the translator learns from (3rd of March, 2021; \
         Mar 3 21; 2021年3月3日; ...): it writes the ISO date with its current weights as \
         you type." => {
            "用模型学过的任意一种写法输入日期（3rd of March, 2021；Mar 3 21；2021年3月3日……）：边输入，模型边用当前的权重写出 ISO 日期。"
        }
        "A date to translate" => "要翻译的日期",
        "Greedy decoding writes the most likely character each time; beam search keeps the k \
         most likely dates so far and writes the best whole one" => {
            "贪心解码每一步都写下最可能的字符；束搜索同时保留目前最可能的 k 个候选，最后写出整体最好的那个"
        }
        "Decoding" => "解码方式",
        "greedy" => "贪心",
        "beam {k}" => "束宽 {k}",
        "ISO date:" => "ISO 日期：",
        "Cross-attention" => "交叉注意力",
        "cross-attention" => "交叉注意力",
        "Each row is a character the decoder wrote and how strongly it read each source \
         character, the columns, in the chosen decoder block and head (each row sums to 1)." => {
            "每一行是解码器写出的一个字符，各列显示它在所选解码器块和注意力头中对原文每个字符的关注程度（每行之和为 1）。"
        }
        "Decoder block" => "解码器块",
        "Exact match" => "完全匹配率",
        "Share of test dates whose greedy translation is the whole ISO date" => {
            "贪心解码后与 ISO 日期完全一致的测试日期所占比例"
        }
        "Token accuracy" => "字符准确率",
        "Share of test ISO characters predicted right, each from the true characters before it" => {
            "在给定前面真实字符的条件下，测试集 ISO 日期中被预测正确的字符比例"
        }
        _ => return None,
    })
}
