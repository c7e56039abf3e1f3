//! The Chinese of the resume offer and the saving notices (wired into `i18n::zh` by the
//! lead at merge; `{step}`, `{time}`, `{label}` and `{detail}` are filled in after).

/// The Chinese of an English text of this module, if it has one.
pub fn zh(en: &str) -> Option<&'static str> {
    Some(match en {
        "Resume run from step {step} (saved {time})" => "从第 {step} 步继续训练（保存于 {time}）",
        "Discard" => "丢弃",
        "Continue the saved run where it stopped, exactly as if it had never stopped" => {
            "从中断处接着训练保存的运行，结果与从未中断完全一致"
        }
        "A run of another experiment ({label}) than the link in the address was saved here." => {
            "这里保存的是另一个实验（{label}）的运行，不是地址栏链接中的实验。"
        }
        "A run of {label} was saved here." => "这里保存了 {label} 的一次运行。",
        "an edited experiment" => "修改过的实验",
        "Hide this message" => "隐藏此消息",
        "Runs cannot be saved for a reload in this browser ({detail}); training works as usual." => {
            "此浏览器无法保存运行以便刷新后恢复（{detail}）；训练照常进行。"
        }
        "The run saved in this browser could not be read ({detail}), so it was discarded." => {
            "此浏览器中保存的运行无法读取（{detail}），已将其丢弃。"
        }
        "The saved run could not be removed ({detail})." => "无法删除保存的运行（{detail}）。",
        "The run could not be saved for a reload ({detail}); training goes on." => {
            "无法保存运行以便刷新后恢复（{detail}）；训练继续进行。"
        }
        "The saved run cannot continue here ({detail})." => "保存的运行无法在这里继续（{detail}）。",
        _ => return None,
    })
}
