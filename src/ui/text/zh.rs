//! The Chinese of the text views' interface strings. `i18n.rs` belongs to another part
//! of the page; the lead wires [`zh`] into `i18n::zh` at merge (an English string with
//! no entry anywhere shows in English).

/// The Chinese of an English string of the text views, if it has one.
pub fn zh(en: &str) -> Option<&'static str> {
    Some(match en {
        // Generation panel.
        "Generate text" => "生成文本",
        "The text the model continues; every character must be one the model saw in training" => {
            "模型接着往下写的开头；每个字符都必须是模型训练时见过的"
        }
        "Prompt" => "开头文本",
        "Divide the model's scores by this before drawing: lower is safer, higher is wilder; 0 always takes the most likely character" => {
            "抽样前把模型的打分除以这个数：越低越稳妥，越高越天马行空；0 表示每次都取最可能的字符"
        }
        "Temperature" => "温度",
        "Draw only among the k most likely characters (0: all of them)" => {
            "只在最可能的 k 个字符里抽取（0 表示不限）"
        }
        "Top-k" => "Top-k",
        "Seed of the random draws: the same seed writes the same text with the same weights (and gradlab sample writes it too)" => {
            "随机抽样的种子：权重相同、种子相同，写出的文本就相同（gradlab sample 也会写出同样的文本）"
        }
        "Sampling seed" => "采样种子",
        "How many characters to write" => "要写多少个字符",
        "Characters" => "字符数",
        "Write text with the current weights (training may go on meanwhile)" => {
            "用当前的权重写文本（训练可以同时继续）"
        }
        "Generate" => "生成",
        "Stop" => "停止",
        "Next character after the prompt" => "开头之后的下一个字符",
        "The most likely next characters and their probabilities" => {
            "最可能的下一个字符及其概率"
        }
        // Language-model metrics.
        "Language model" => "语言模型",
        "Text model" => "文本模型",
        "Validation bits/char" => "验证集 比特/字符",
        "Validation loss in bits per character (loss / ln 2): what the model pays on average to encode the next character" => {
            "以每字符比特数表示的验证损失（损失 / ln 2）：模型为编码下一个字符平均要付出的比特数"
        }
        "Validation perplexity" => "验证集困惑度",
        "e to the validation loss: as unsure as a fair choice among this many characters" => {
            "e 的验证损失次方：模型的不确定程度，相当于在这么多个字符里等概率地挑一个"
        }
        "Train bits/char" => "训练集 比特/字符",
        "Training loss in bits per character" => "以每字符比特数表示的训练损失",
        "Train perplexity" => "训练集困惑度",
        "e to the training loss" => "e 的训练损失次方",
        "Tokens/s" => "词元/秒",
        "Training speed: steps per second times the tokens of one batch (batch x context)" => {
            "训练速度：每秒步数乘以一个批次的词元数（批大小 × 上下文长度）"
        }
        "The losses are measured on fixed windows of the training text and of the validation text (its end), at the evaluation steps, as the command line records them." => {
            "损失在训练文本和验证文本（文本末尾一段）的固定窗口上、在评估步测量，与命令行记录的一致。"
        }
        // Own text.
        "Train on your own text" => "用你自己的文本训练",
        "Paste text or drop a text file: the model gets the text's own characters as its vocabulary and trains on the first 90%, validating on the rest." => {
            "粘贴文本或拖入一个文本文件：模型以这段文本自己的字符作为词表，用前 90% 训练，其余部分用于验证。"
        }
        "Paste text here, or drop a .txt file" => "在这里粘贴文本，或拖入一个 .txt 文件",
        "A plain text file (UTF-8), up to 2 MB" => "纯文本文件（UTF-8），最大 2 MB",
        "Text file" => "文本文件",
        "Build a character vocabulary from this text and train the current GPT shape on it" => {
            "用这段文本建立字符词表，并用当前的 GPT 结构在上面训练"
        }
        "Train on this text" => "用这段文本训练",
        "A link to this run reproduces its settings, not the text: it carries the text's SHA-256, so whoever opens it needs the same text, and other text is noticed." => {
            "这次运行的链接只能重现设置，带不了文本本身：链接里附有文本的 SHA-256，打开链接的人需要提供同样的文本；换了别的文本会被发现。"
        }
        _ => return None,
    })
}
