//! The interface in English and Simplified Chinese. Components keep their English text
//! and show it through [`t`], which gives the Chinese of the page's language when the
//! page is in Chinese. [`t`] reads the language signal, so a closure that shows
//! `t(...)` follows the language switch. Text without a Chinese entry shows in English
//! rather than not at all.

use crate::lessons::Lang;
use leptos::prelude::*;
use std::cell::Cell;

thread_local! {
    /// The page's language signal (one page per thread: the browser's main thread).
    static LANG: Cell<Option<RwSignal<Lang>>> = const { Cell::new(None) };
}

/// Makes `lang` the language [`t`] follows.
pub fn install(lang: RwSignal<Lang>) {
    LANG.with(|l| l.set(Some(lang)));
}

/// The page's language (tracked when read in a reactive closure).
pub fn lang() -> Lang {
    LANG.with(Cell::get).map(|s| s.get()).unwrap_or_default()
}

/// `en` in the page's language.
pub fn t(en: &'static str) -> &'static str {
    match lang() {
        Lang::En => en,
        Lang::Zh => zh(en).unwrap_or(en),
    }
}

/// The Chinese of an English interface text.
pub fn zh(en: &str) -> Option<&'static str> {
    Some(match en {
        // Training bar.
        "Training" => "训练",
        "Reset: new initial weights from the seed, step 0" => "重置：按随机种子重新初始化权重，回到第 0 步",
        "Reset" => "重置",
        "Train continuously, a few milliseconds per frame" => "连续训练，每帧占用几毫秒",
        "Pause" => "暂停",
        "Train" => "训练",
        "One optimizer step on the next mini-batch" => "在下一个小批量上执行一步优化",
        "Step" => "步数",
        "Epoch" => "轮数",
        "Optimizer steps per second, recent" => "最近每秒执行的优化步数",
        "Steps/s" => "步/秒",
        "Loss over the whole training set" => "整个训练集上的损失",
        "Train loss" => "训练损失",
        "Loss over the test set" => "测试集上的损失",
        "Test loss" => "测试损失",
        "Fraction of test points classified correctly" => "测试点中分类正确的比例",
        "Test accuracy" => "测试准确率",
        // Loss chart.
        "Loss" => "损失",
        "Show the loss on a logarithmic scale" => "用对数刻度显示损失",
        "log scale" => "对数刻度",
        "Train and test loss against training step" => "训练损失和测试损失随训练步数的变化",
        // Metrics.
        "Test metrics" => "测试指标",
        "No evaluation yet." => "还没有评估结果。",
        "Accuracy" => "准确率",
        "Precision" => "精确率",
        "Recall" => "召回率",
        "Of the predicted positives, the share that are (macro average over classes when more than two)" => "被预测为阳性的样本中真正为阳性的比例（多于两类时为各类宏平均）",
        "Of the true positives, the share found (macro average when more than two classes)" => "真正的阳性样本中被找出的比例（多于两类时为宏平均）",
        "Harmonic mean of precision and recall" => "精确率与召回率的调和平均",
        "Mean squared error, original units" => "均方误差（原始单位）",
        "Mean absolute error, original units" => "平均绝对误差（原始单位）",
        "Coefficient of determination" => "决定系数",
        "Confusion matrix (rows: truth, columns: prediction)" => "混淆矩阵（行：真实类别，列：预测类别）",
        // Main chart.
        "Model output" => "模型输出",
        "Data and fit" => "数据与拟合",
        "Prediction over the plane" => "整个平面上的预测",
        "Decision boundary" => "决策边界",
        "Output" => "输出",
        "discretize" => "离散显示",
        "Show the test points (dark ring) as well as the training points (white ring)" => "同时显示测试点（深色圈）和训练点（白色圈）",
        "test points" => "测试点",
        "The data and what the model predicts" => "数据以及模型的预测",
        // Network editor.
        "Network" => "网络",
        "Add a hidden layer" => "添加一个隐藏层",
        "Remove the last hidden layer" => "删除最后一个隐藏层",
        "One neuron fewer" => "减少一个神经元",
        "One neuron more" => "增加一个神经元",
        "Activation after this layer" => "这一层之后的激活函数",
        "Weights and biases" => "权重和偏置",
        // Data.
        "Data" => "数据",
        "Noise" => "噪声",
        "Noise of the generated data (0 = clean)" => "生成数据的噪声（0 表示无噪声）",
        "Points" => "点数",
        "Number of generated points" => "生成的数据点个数",
        "Test share" => "测试比例",
        "Fraction of the data held out for testing (the ratio of test to all points)" => "留作测试的数据比例（测试点占全部点的比例）",
        "Batch size" => "批大小",
        "Examples per optimizer step" => "每一步优化使用的样本数",
        "Seed" => "随机种子",
        "Seed of every random choice: data, split, initial weights, batch order" => "所有随机选择的种子：数据、划分、初始权重、批次顺序",
        "New data and weights: the next seed" => "换一组数据和权重：使用下一个种子",
        "Regenerate" => "重新生成",
        "Standardise inputs" => "标准化输入",
        "Scale every input (and regression target) to mean 0 and variance 1 with training-set statistics" => "用训练集的统计量把每个输入（以及回归目标）缩放到均值 0、方差 1",
        "Input features" => "输入特征",
        "Features" => "特征",
        // Optimizer.
        "The objective: mean squared error, or cross-entropy of the softmax (classification)" => "优化目标：均方误差，或 softmax 的交叉熵（分类）",
        "Optimizer" => "优化器",
        "The update rule (PyTorch's equations)" => "参数更新规则（与 PyTorch 的公式一致）",
        "Learning rate" => "学习率",
        "Step size of the optimizer" => "优化器的步长",
        "Momentum" => "动量",
        "Momentum factor" => "动量系数",
        "Nesterov" => "Nesterov",
        "Nesterov momentum" => "Nesterov 动量",
        "Decay of Adam's first moment" => "Adam 一阶矩的衰减率",
        "Decay of Adam's second moment" => "Adam 二阶矩的衰减率",
        "Weight decay" => "权重衰减",
        "AdamW's decoupled weight decay" => "AdamW 的解耦权重衰减",
        "L1 penalty: adds l1 · sign(w) to each gradient" => "L1 惩罚：在每个梯度上加 l1 · sign(w)",
        "L2 penalty: adds l2 · w to each gradient" => "L2 惩罚：在每个梯度上加 l2 · w",
        "Epochs" => "轮数",
        "Whole passes over the training set before training stops" => "训练停止前完整遍历训练集的次数",
        "Unlimited" => "不限",
        "Train until paused" => "一直训练，直到暂停",
        // Preset and backend.
        "Preset" => "预设",
        "A ready-made experiment: data, network and training settings" => "现成的实验：数据、网络和训练设置",
        "custom (from a link)" => "自定义（来自链接）",
        "Backend" => "计算后端",
        "Where the tensors live and the kernels run; switching keeps the experiment" => "张量存放和计算内核运行的地方；切换后实验保持不变",
        "The backend running now" => "当前使用的后端",
        // Run comparison.
        "this run" => "本次训练",
        "step" => "步数",
        "train loss" => "训练损失",
        "Compare runs" => "比较训练",
        "clear" => "清空",
        "Train loss of the last runs" => "最近几次训练的训练损失",
        "run (what differs)" => "训练（不同之处）",
        // Sweep.
        "Sweep" => "参数扫描",
        "First setting" => "第一个设置",
        "Second setting (optional)" => "第二个设置（可选）",
        "Its values" => "取值",
        "random sample of" => "随机抽取",
        "Run sweep" => "开始扫描",
        "Stop" => "停止",
        "The metric against the setting" => "指标随设置的变化",
        "settings" => "设置",
        "test accuracy" => "测试准确率",
        "test loss" => "测试损失",
        "diverged" => "发散",
        // Share.
        "Share and import" => "分享与导入",
        "Share" => "分享",
        "Share link" => "分享链接",
        "Copy a link that replays this experiment: every setting, the seed and the steps trained" => "复制一个能重现本实验的链接：包含全部设置、随机种子和已训练的步数",
        "copied to the clipboard" => "已复制到剪贴板",
        "copy it from the field (no clipboard access here)" => "请从输入框中复制（这里无法访问剪贴板）",
        "Link to this experiment" => "本实验的链接",
        "Open a link" => "打开链接",
        "a gradlab or TensorFlow Playground link" => "gradlab 或 TensorFlow Playground 的链接",
        "Paste a gradlab link or a TensorFlow Playground link, then press Open" => "粘贴 gradlab 或 TensorFlow Playground 的链接，然后按“打开”",
        "Open" => "打开",
        "Open the pasted link: its settings replace the current ones" => "打开粘贴的链接：它的设置会替换当前设置",
        "show" => "显示",
        "The link was not taken exactly as written:" => "链接没有完全按原样读取：",
        "Hide these warnings" => "隐藏这些警告",
        "Hide this message" => "隐藏这条消息",
        _ => return None,
    })
}
