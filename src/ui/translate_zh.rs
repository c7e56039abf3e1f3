//! Chinese for the translator's interface strings (the lead wires [`zh`] into
//! `i18n::zh` at merge).

/// The Chinese of `en`, when it is one of the translator's strings.
pub fn zh(en: &str) -> Option<&'static str> {
    Some(match en {
        "dates to translate (the page does not train the translator yet; run it with \
         `gradlab run translate-dates`)" => {
            "待翻译的日期（页面暂时还不能训练翻译模型；请用 `gradlab run translate-dates` 运行）"
        }
        _ => return None,
    })
}
