//! Chinese of the presets' one-line summaries (the core writes them in English). Plain
//! Rust with no imports (the native tests include it with `#[path]` and check that every
//! preset has an entry).

/// The Chinese of a preset's summary.
pub fn zh(en: &str) -> Option<&'static str> {
    Some(match en {
        "one Dense unit learns y = 2x + 1 from 100 noisy points (Adam, MSE)" => {
            "一个全连接单元从 100 个带噪声的点学出 y = 2x + 1（Adam，均方误差）"
        }
        "a 16-16 tanh MLP fits y = sin(x) on [-pi, pi]" => {
            "一个 16-16 的 tanh 多层感知机在 [-π, π] 上拟合 y = sin(x)"
        }
        "a disk inside a ring: a 4-2 tanh MLP on x1, x2 bends a closed boundary" => {
            "圆环包着圆盘：输入 x1、x2 的 4-2 tanh 多层感知机弯出一条闭合边界"
        }
        "four quadrants: an 8-4 tanh MLP on x1, x2 learns the checkerboard" => {
            "四个象限：输入 x1、x2 的 8-4 tanh 多层感知机学会棋盘格"
        }
        "two Gaussian blobs: nearly linearly separable, two hidden units suffice" => {
            "两团高斯分布的点：几乎线性可分，两个隐藏单元就够了"
        }
        "two interleaved spirals: an 8-8 tanh MLP on all seven input features" => {
            "两条交错的螺旋：用全部七个输入特征的 8-8 tanh 多层感知机"
        }
        "two interleaved half circles (scikit-learn's moons): an 8-8 tanh MLP" => {
            "两个交错的半圆（scikit-learn 的 moons）：8-8 tanh 多层感知机"
        }
        "Fisher's iris: 3 species from 4 measurements, one hidden ReLU layer" => {
            "Fisher 鸢尾花：由 4 项测量区分 3 个品种，一个 ReLU 隐藏层"
        }
        "wine recognition: 3 cultivars from 13 chemical measurements" => {
            "葡萄酒识别：由 13 项化学测量区分 3 个葡萄品种"
        }
        "Wisconsin breast cancer: malignant or benign from 30 features" => {
            "威斯康星乳腺癌：由 30 个特征判断恶性还是良性"
        }
        "diabetes progression after one year from 10 features (regression)" => {
            "由 10 个特征预测一年后的糖尿病进展（回归）"
        }
        "8x8 handwritten digits: 10 classes from 64 pixels, one hidden ReLU layer" => {
            "8x8 手写数字：由 64 个像素分成 10 类，一个 ReLU 隐藏层"
        }
        "TF Playground's tilted plane: a 4-2 tanh MLP regresses (x1 + x2) / 10" => {
            "TF Playground 的倾斜平面：4-2 tanh 多层感知机回归 (x1 + x2) / 10"
        }
        "TF Playground's six signed bumps: a 16-16 tanh MLP regresses the surface" => {
            "TF Playground 的六个正负鼓包：16-16 tanh 多层感知机回归这个曲面"
        }
        "8x8 handwritten digits through a small conv net: two 3x3 conv-pool blocks" => {
            "8x8 手写数字交给一个小卷积网络：两个 3x3 卷积加池化的模块"
        }
        "MNIST 28x28 digits (10,000 images, fetched on demand): a 784-128-10 ReLU MLP" => {
            "MNIST 28x28 手写数字（10,000 张，用到时才下载）：784-128-10 的 ReLU 多层感知机"
        }
        "MNIST 28x28 digits through a LeNet-like conv net (on the GPU when there is one)" => {
            "MNIST 28x28 手写数字交给一个类似 LeNet 的卷积网络（有 GPU 时用 GPU）"
        }
        "a small character-level GPT (2 layers, 64 wide) writes tiny Shakespeare" => {
            "一个小小的字符级 GPT（2 层，宽 64）写出迷你莎士比亚"
        }
        "nanoGPT's CPU configuration (4 layers, 4 heads, 128 wide, context 64)" => {
            "nanoGPT 的 CPU 配置（4 层，4 个注意力头，宽 128，上下文 64）"
        }
        "review sentences, positive or negative: a small transformer encoder" => {
            "影评句子是正面还是负面：一个小型 Transformer 编码器"
        }
        "review sentences through a bag of embeddings (the baseline)" => {
            "用词嵌入袋处理影评句子（基线模型）"
        }
        _ => return None,
    })
}
