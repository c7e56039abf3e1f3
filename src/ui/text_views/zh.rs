//! The Chinese of the text views' interface strings (the sentiment box, the attention
//! view, the heat map). `i18n.rs` belongs to another part of the page; the lead wires
//! [`zh`] into `i18n::zh` at merge (an English string with no entry shows in English).

/// The Chinese of an English string of the text views, if it has one.
pub fn zh(en: &str) -> Option<&'static str> {
    Some(match en {
        // Sentiment box.
        "Sentiment of your sentence" => "你这句话的情感",
        "Type a sentence: the model reads it with its current weights as you type, while it trains or paused." => {
            "输入一句话：你边打字，模型边用当前的权重读它，训练中或暂停时都可以。"
        }
        "A sentence to classify" => "要判断情感的句子",
        "Waiting for the model's weights..." => "正在等待模型的权重……",
        "negative" => "负面",
        "positive" => "正面",
        "without it" => "去掉它后为",
        " — not in the vocabulary, read as <unk>" => "——不在词表里，按 <unk> 读入",
        "pushes negative" => "偏向负面",
        "pushes positive" => "偏向正面",
        "A token's colour: how much the log-odds of positive change when that token is deleted and the sentence is read again." => {
            "每个词的颜色表示：删掉这个词、把句子重新读一遍后，“正面”的对数几率变化了多少。"
        }
        "Dashed, marked unk: a word the model never learned, read as the unknown token <unk>." => {
            "虚线框、标着 unk 的词：模型没学过这个词，只能当作未知词 <unk> 来读。"
        }
        "The model reads the first {kept} tokens; {dropped} more are left out." => {
            "模型只读前 {kept} 个词，后面还有 {dropped} 个没有读入。"
        }
        "Read in {ms} ms on the CPU (the sentence and each one-token-shorter copy, one batch)." => {
            "在 CPU 上读完用了 {ms} 毫秒（整句和每个少一个词的版本，一批算完）。"
        }
        "Attention layer" => "注意力层",
        // Attention view.
        "Attention" => "注意力",
        "Each row is a token and how strongly it attends to each token in its columns, in the chosen layer and head (each row sums to 1)." => {
            "每一行是一个词，显示它在所选的层和注意力头中对各列每个词的关注程度（每行加起来为 1）。"
        }
        "The text looked at: the generation prompt above, as you type it." => {
            "这里看的是上面的生成开头文本，随你输入而更新。"
        }
        "Head" => "注意力头",
        "attention" => "注意力层",
        "mean of heads" => "各头平均",
        "head" => "头",
        "This model has no attention layers (a bag of embeddings averages its words): nothing to show." => {
            "这个模型没有注意力层（词袋模型只是把词向量取平均），所以这里没有可显示的内容。"
        }
        "{n} tokens past the model's context are left out." => "超出模型上下文长度的 {n} 个词元没有读入。",
        " (causal: no token sees a later one)" => "（因果：每个词元都看不到它后面的词元）",
        // Heat map.
        "Nothing to show yet." => "暂时没有可显示的内容。",
        "A wide map: scroll it sideways to see every column; hover a cell for its value." => {
            "图比较宽：左右滑动可以看到每一列；把鼠标停在格子上可以看到具体数值。"
        }
        _ => return None,
    })
}
