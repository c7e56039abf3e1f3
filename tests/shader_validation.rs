//! Every `shaders/*.wgsl` parses and validates with naga (no GPU needed) as the module
//! it becomes (`common.wgsl`, the shared helpers, then the family's file), every kernel
//! the backend launches exists as a compute entry point of its family's file, and the
//! bindings each entry point uses agree with the bind-group layout the host creates for
//! it (binding 0: the parameter uniform; then storage buffers, read-only or not), and
//! every compute entry point stays within WebGPU's default limits (`limits.rs`).

#[path = "shader_validation/limits.rs"]
mod limits;

use gradlab::backend::gpu::{Family, Kernel, COMMON_FILE};
use gradlab::tensor::{BinaryOp, ReduceOp, UnaryOp};
use limits::{entry_usages, EntryUsage};
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

/// Every `shaders/*.wgsl` as `(file name, the module's source)`: the shared helpers
/// alone, a family's file with them in front (as the backend builds it).
fn shader_sources() -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shader_dir())
        .expect("shaders/ exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wgsl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no shaders/*.wgsl found");
    let common = std::fs::read_to_string(shader_dir().join(COMMON_FILE)).expect("common.wgsl");
    files
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let own = std::fs::read_to_string(path).expect("readable shader");
            let src = if name == COMMON_FILE {
                own
            } else {
                format!("{common}{own}")
            };
            (name, src)
        })
        .collect()
}

#[test]
fn every_shader_file_parses_and_validates() {
    let mut errors = Vec::new();
    for (name, src) in shader_sources() {
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

/// Every compute entry point of every `shaders/*.wgsl` module, as the backend builds
/// it, within WebGPU's default limits; on failure, the table of every entry's numbers.
#[test]
fn every_kernel_stays_within_webgpu_default_limits() {
    let mut usages: Vec<EntryUsage> = Vec::new();
    for (name, src) in shader_sources() {
        let (module, info) = parse_and_validate(&name, &src).unwrap_or_else(|e| panic!("{e}"));
        usages.extend(entry_usages(&name, &module, &info).unwrap_or_else(|e| panic!("{e}")));
    }
    assert!(
        usages.len() >= Kernel::all().len(),
        "{} compute entry points found, the backend launches {} kernels",
        usages.len(),
        Kernel::all().len()
    );
    let table = limits::table(&usages);
    println!("{table}");
    let over: Vec<String> = usages
        .iter()
        .flat_map(|u| {
            u.violations()
                .into_iter()
                .map(move |v| format!("{}: {v}", u.name))
        })
        .collect();
    assert!(
        over.is_empty(),
        "kernels over WebGPU's default limits:\n{}\n\n{table}",
        over.join("\n")
    );
}

/// The usage of the one compute entry point `main` of a WGSL snippet.
fn usage_of(src: &str) -> EntryUsage {
    let (module, info) = parse_and_validate("snippet", src).unwrap_or_else(|e| panic!("{e}"));
    let mut usages = entry_usages("snippet", &module, &info).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(usages.len(), 1, "one entry point");
    usages.remove(0)
}

/// `n` buffers of `space` (e.g. `storage, read_write`) at group 0, bindings `0..n`, the
/// first `used` of them read by `main` (their sum is written into the first one, or
/// nowhere when uniform).
fn buffers(space: &str, ty: &str, n: usize, used: usize) -> String {
    let decls: String = (0..n)
        .map(|i| format!("@group(0) @binding({i}) var<{space}> b{i}: {ty};\n"))
        .collect();
    let sum: Vec<String> = (0..used).map(|i| format!("b{i}[0]")).collect();
    format!(
        "{decls}@compute @workgroup_size(1) fn main() {{ let s = {}; }}",
        sum.join(" + ")
    )
}

/// The limit check must be able to fail: one snippet just over each limit is caught
/// (naming that limit), and the same snippet at the limit passes.
#[test]
fn limit_check_catches_a_kernel_over_each_limit() {
    let wg = |size: &str| format!("@compute @workgroup_size({size}) fn main() {{}}");
    let shared = |decls: &str, body: &str| {
        format!("{decls}\n@compute @workgroup_size(1) fn main() {{ {body} }}")
    };
    let binding = |group: u32, binding: u32| {
        format!(
            "@group({group}) @binding({binding}) var<storage, read_write> b: array<f32>;\n\
             @compute @workgroup_size(1) fn main() {{ b[0] = 1.0; }}"
        )
    };
    // (over the limit, the name of the limit, within it)
    let cases: Vec<(String, &str, String)> = vec![
        (
            wg("16, 16, 2"),
            "maxComputeInvocationsPerWorkgroup",
            wg("16, 16, 1"),
        ),
        (wg("257"), "maxComputeWorkgroupSizeX", wg("256")),
        (wg("1, 257"), "maxComputeWorkgroupSizeY", wg("1, 256")),
        (wg("1, 1, 65"), "maxComputeWorkgroupSizeZ", wg("1, 1, 64")),
        // 4093 f32 = 16372 bytes, rounded up to 16384; a used f32 adds 16, not 4.
        (
            shared(
                "var<workgroup> a: array<f32, 4093>; var<workgroup> x: f32;",
                "a[0] = x;",
            ),
            "maxComputeWorkgroupStorageSize",
            shared(
                "var<workgroup> a: array<f32, 4093>; var<workgroup> x: f32;",
                "a[0] = 1.0;",
            ),
        ),
        // A vec3 array element takes 16 bytes (WGSL's stride), not 12.
        (
            shared("var<workgroup> v: array<vec3<f32>, 1025>;", "v[0].x = 1.0;"),
            "maxComputeWorkgroupStorageSize",
            shared("var<workgroup> v: array<vec3<f32>, 1024>;", "v[0].x = 1.0;"),
        ),
        // Nine declared: eight used pass, nine used fail.
        (
            buffers("storage, read_write", "array<f32>", 9, 9),
            "maxStorageBuffersPerShaderStage",
            buffers("storage, read_write", "array<f32>", 9, 8),
        ),
        (
            buffers("uniform", "vec4<f32>", 13, 13),
            "maxUniformBuffersPerShaderStage",
            buffers("uniform", "vec4<f32>", 13, 12),
        ),
        (binding(4, 0), "maxBindGroups", binding(3, 0)),
        (binding(0, 1000), "maxBindingsPerBindGroup", binding(0, 999)),
    ];
    for (over, limit, within) in &cases {
        let u = usage_of(over);
        let violations = u.violations();
        assert!(
            violations.iter().any(|v| v.starts_with(limit)),
            "{limit} not caught in\n{over}\n{violations:?}\n{}",
            limits::table(std::slice::from_ref(&u))
        );
        let u = usage_of(within);
        assert!(
            u.violations().is_empty(),
            "flagged at the limit of {limit}:\n{within}\n{:?}",
            u.violations()
        );
    }
}
