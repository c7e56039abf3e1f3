//! Chinese of the messages the core and the page's driver write in English (errors,
//! backend notices, cost warnings, link warnings, import and export outcomes), as
//! patterns with `{}` holes (see `pattern.rs`): the text in each hole is translated in
//! turn, so a message inside a message (`invalid configuration: ...`) reads in Chinese
//! as far as its parts are known. The Chinese may take the holes in another order with
//! `{0}`, `{1}`. Plain Rust with no imports (the native tests include it with `#[path]`).

/// `(English pattern, Chinese pattern)`, tried in order: longer, more specific patterns
/// first.
pub const MESSAGES: &[(&str, &str)] = &[
    // The core's errors (`Error`'s Display).
    ("training diverged at step {}: {} is NaN or infinite (try a lower learning rate)", "训练在第 {} 步发散：{} 出现了 NaN 或无穷大（试试更小的学习率）"),
    ("invalid configuration: {}", "配置无效：{}"),
    ("GPU: {}", "GPU：{}"),
    ("data: {}", "数据：{}"),
    ("format: {}", "格式：{}"),
    ("I/O: {}", "输入输出：{}"),
    ("model: {}", "模型：{}"),
    // Backend notices.
    ("running on the CPU backend: WebGPU adapter {} found, but {}", "正在使用 CPU 后端：找到了 WebGPU 适配器 {}，但{}"),
    ("running on the CPU backend: {}", "正在使用 CPU 后端：{}"),
    ("WebGPU is not available, staying on the CPU backend: {}", "WebGPU 不可用，继续使用 CPU 后端：{}"),
    ("could not switch backend: {}", "无法切换后端：{}"),
    ("the GPU failed, so the run continues on the CPU backend from step {} (its last copy read back): {}", "GPU 出错，训练从第 {} 步（最近一次读回的副本）起在 CPU 后端上继续：{}"),
    ("the GPU failed, so the run restarted on the CPU backend: {}", "GPU 出错，训练已在 CPU 后端上重新开始：{}"),
    ("the GPU failed ({})", "GPU 出错（{}）"),
    ("this browser does not offer WebGPU (navigator.gpu is missing)", "这个浏览器不支持 WebGPU（没有 navigator.gpu）"),
    ("the WebGPU device could not be opened ({})", "无法打开 WebGPU 设备（{}）"),
    ("the WebGPU self-test failed ({})", "WebGPU 自检失败（{}）"),
    ("the WebGPU self-test got no answer from the GPU", "WebGPU 自检没有得到 GPU 的回应"),
    ("the WebGPU self-test disagreed with the CPU (loss {} vs {})", "WebGPU 自检的结果与 CPU 不一致（损失 {} 对 {}）"),
    ("no answer from the device within {} s", "设备在 {} 秒内没有回应"),
    ("looking for WebGPU...", "正在查找 WebGPU……"),
    // Cost limits.
    ("this run stays where it is: on {} it cannot run ({})", "这次训练留在原处：在{}上无法运行（{}）"),
    ("this run asks for {}: {}", "这次训练需要 {}：{}"),
    ("{} per step, {} per evaluation, {} held", "每步 {}，每次评估 {}，占用内存 {}"),
    ("{} is {} {} ({})", "{0}，达到{2}（{3}）的 {1}"),
    ("{} values through the kernels per step", "每步有 {} 个数值流经计算内核"),
    ("{} values through the kernels per evaluation", "每次评估有 {} 个数值流经计算内核"),
    ("{} per step", "每步 {}"),
    ("{} per evaluation", "每次评估 {}"),
    ("{} in one buffer", "单个缓冲区 {}"),
    ("{} held", "占用内存 {}"),
    ("the default limit", "默认限制"),
    ("the CPU backend", "CPU 后端"),
    // Model import and export, link weights.
    ("no run to load the weights into", "没有可以载入权重的训练"),
    ("loaded {} tensors ({} values) at step {}", "已载入 {} 个张量（{} 个数值），当前在第 {} 步"),
    ("the weights do not fit this model: {}", "这些权重与本模型不匹配：{}"),
    ("replayed: the weights equal the link's, bit for bit", "已重放：权重与链接中的逐位相同"),
    ("the replay's weights differ from the link's (trained on another backend), so the link's weights were loaded", "重放得到的权重与链接中的不同（链接是在另一个后端上训练的），所以载入了链接中的权重"),
    ("cannot export to PyTorch: {}", "无法导出到 PyTorch：{}"),
    ("cannot export the model: {}", "无法导出模型：{}"),
    ("cannot export the data: {}", "无法导出数据：{}"),
    ("cannot export the history: {}", "无法导出历史记录：{}"),
    ("no model to export yet", "还没有可以导出的模型"),
    ("cannot read {}: {}", "无法读取 {}：{}"),
    ("cannot import {}: {}", "无法导入 {}：{}"),
    // Link warnings (`key: message`).
    ("{}: unknown key; ignored", "{}：未知的键，已忽略"),
    ("{}: missing; the default {} is used", "{}：缺失，使用默认值 {}"),
    ("{}: missing; read as version 1", "{}：缺失，按第 1 版读取"),
    ("{}: no input feature; x1,x2 are used", "{}：没有输入特征，改用 x1,x2"),
    // The probe's labels.
    ("test image {}", "测试图像 {}"),
];
