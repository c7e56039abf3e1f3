//! Every `shaders/*.wgsl` parses and validates with naga (no GPU needed) as the module
//! it becomes (`common.wgsl`, the shared helpers, then the family's file), every kernel
//! the backend launches exists as a compute entry point of its family's file, and the
//! bindings each entry point uses agree with the bind-group layout the host creates for
//! it (binding 0: the parameter uniform; then storage buffers, read-only or not).

use gradlab::backend::gpu::{Family, Kernel, COMMON_FILE};
use gradlab::tensor::{BinaryOp, ReduceOp, UnaryOp};
use naga::valid::{Capabilities, GlobalUse, ModuleInfo, ValidationFlags, Validator};
use naga::{AddressSpace, Module, ShaderStage, StorageAccess};
use std::path::PathBuf;

fn shader_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("shaders")
}

fn parse_and_validate(name: &str, src: &str) -> Result<(Module, ModuleInfo), String> {
    let module = naga::front::wgsl::parse_str(src)
        .map_err(|e| format!("{name} does not parse:\n{}", e.emit_to_string(src)))?;
    let info = Validator::new(ValidationFlags::all(), Capabilities::default())
        .validate(&module)
        .map_err(|e| format!("{name} does not validate:\n{}", e.emit_to_string(src)))?;
    Ok((module, info))
}

#[test]
fn every_shader_file_parses_and_validates() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shader_dir())
        .expect("shaders/ exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wgsl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no shaders/*.wgsl found");
    let mut errors = Vec::new();
    let common = std::fs::read_to_string(shader_dir().join(COMMON_FILE)).expect("common.wgsl");
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let own = std::fs::read_to_string(path).expect("readable shader");
        // The shared helpers validate alone; a family validates with them in front.
        let src = if name == COMMON_FILE {
            own
        } else {
            format!("{common}{own}")
        };
        match parse_and_validate(&name, &src) {
            Ok((module, _)) => println!("{name}: {} entry points", module.entry_points.len()),
            Err(e) => errors.push(e),
        }
        // Every file is embedded by some family (no orphan kernels).
        if name != COMMON_FILE && !Family::ALL.iter().any(|f| f.file() == name) {
            errors.push(format!("{name} belongs to no kernel family"));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}

#[test]
fn embedded_sources_are_the_files_on_disk() {
    let common = std::fs::read_to_string(shader_dir().join(COMMON_FILE)).expect("common.wgsl");
    for f in Family::ALL {
        let disk = std::fs::read_to_string(shader_dir().join(f.file())).expect("shader file");
        assert_eq!(
            f.source(),
            format!("{common}{disk}"),
            "{} is embedded from another text",
            f.file()
        );
    }
}

/// The layout the host builds for a kernel: binding 0 uniform, then storage buffers.
fn check_bindings(k: &Kernel, module: &Module, info: &ModuleInfo) -> Result<(), String> {
    let (index, ep) = module
        .entry_points
        .iter()
        .enumerate()
        .find(|(_, e)| e.name == k.entry)
        .ok_or_else(|| format!("{} has no entry point {}", k.family.file(), k.entry))?;
    if ep.stage != ShaderStage::Compute {
        return Err(format!("{} is not a compute entry point", k.entry));
    }
    let uses = info.get_entry_point(index);
    let read_only = k.sig.read_only();
    for (handle, var) in module.global_variables.iter() {
        if uses[handle].is_empty() {
            continue;
        }
        let Some(rb) = &var.binding else { continue };
        let b = rb.binding as usize;
        let ok = match (b, var.space) {
            (0, AddressSpace::Uniform) => rb.group == 0,
            (b, AddressSpace::Storage { access }) if (1..=read_only.len()).contains(&b) => {
                let host_read_only = read_only[b - 1];
                let writes = access.contains(StorageAccess::STORE);
                rb.group == 0
                    && host_read_only != writes
                    && (writes || !uses[handle].contains(GlobalUse::WRITE))
            }
            _ => false,
        };
        if !ok {
            return Err(format!(
                "{}: binding {b} ({:?}) does not match the host layout {:?}",
                k.entry, var.space, k.sig
            ));
        }
    }
    Ok(())
}

#[test]
fn every_kernel_entry_exists_with_the_host_bindings() {
    let modules: Vec<(Family, Module, ModuleInfo)> = Family::ALL
        .iter()
        .map(|&f| {
            let (m, i) = parse_and_validate(f.file(), f.source()).unwrap_or_else(|e| panic!("{e}"));
            (f, m, i)
        })
        .collect();
    let kernels = Kernel::all();
    let mut errors = Vec::new();
    for k in &kernels {
        let (_, m, i) = modules
            .iter()
            .find(|(f, _, _)| *f == k.family)
            .expect("family");
        if let Err(e) = check_bindings(k, m, i) {
            errors.push(e);
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The vocabulary names the entries: each one is launched by some kernel.
    let names: Vec<&str> = UnaryOp::ALL
        .iter()
        .map(|o| o.wgsl_entry())
        .chain(BinaryOp::ALL.iter().map(|o| o.wgsl_entry()))
        .chain(ReduceOp::ALL.iter().map(|o| o.wgsl_entry()))
        .collect();
    for name in names {
        assert!(
            kernels.iter().any(|k| k.entry == name),
            "the vocabulary's entry {name} is not a GPU kernel"
        );
    }
}

/// Chrome's WGSL compiler rejects a constant-expression bitcast whose value is NaN or
/// infinite ("value nan cannot be represented as 'f32'") although naga accepts it, so
/// such a shader would validate here and fail in the browser. Every `bitcast<f32>` of
/// a literal is therefore forbidden; bits must pass through a variable.
#[test]
fn no_shader_bitcasts_a_literal_to_f32() {
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(shader_dir()).expect("shaders/") {
        let path = entry.expect("entry").path();
        let src = std::fs::read_to_string(&path).expect("read shader");
        for (line_no, line) in src.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if let Some(pos) = code.find("bitcast<f32>(") {
                let arg = code[pos + "bitcast<f32>(".len()..].trim_start();
                if arg.starts_with(|c: char| c.is_ascii_digit()) {
                    offenders.push(format!(
                        "{}:{}: {}",
                        path.display(),
                        line_no + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "literal bitcasts to f32:\n{}",
        offenders.join("\n")
    );
}
