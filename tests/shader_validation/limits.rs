//! What each compute entry point asks of the device, measured with naga, against
//! WebGPU's default limits (the numbers every adapter must support, so a kernel within
//! them runs in any browser without requesting more).
//!
//! Resources are counted per entry point, not per module: naga's analysis
//! (`ModuleInfo::get_entry_point(i)[global]`) records how the entry point's function,
//! and every function it calls (callees' uses are merged into the caller), uses each
//! global variable; a global with an empty use set is not statically used and does
//! not count, as WebGPU counts only the bindings of the pipeline's layout that the
//! entry point uses.

use naga::proc::{Alignment, Layouter};
use naga::valid::ModuleInfo;
use naga::{AddressSpace, ImageClass, Module, ShaderStage, TypeInner};

/// WebGPU's default limits (spec section "Limits", the "default" column).
pub mod default {
    /// maxComputeInvocationsPerWorkgroup.
    pub const INVOCATIONS_PER_WORKGROUP: u32 = 256;
    /// maxComputeWorkgroupSizeX.
    pub const WORKGROUP_SIZE_X: u32 = 256;
    /// maxComputeWorkgroupSizeY.
    pub const WORKGROUP_SIZE_Y: u32 = 256;
    /// maxComputeWorkgroupSizeZ.
    pub const WORKGROUP_SIZE_Z: u32 = 64;
    /// maxComputeWorkgroupStorageSize, in bytes.
    pub const WORKGROUP_STORAGE_BYTES: u32 = 16384;
    /// maxStorageBuffersPerShaderStage.
    pub const STORAGE_BUFFERS_PER_STAGE: u32 = 8;
    /// maxUniformBuffersPerShaderStage.
    pub const UNIFORM_BUFFERS_PER_STAGE: u32 = 12;
    /// maxStorageTexturesPerShaderStage.
    pub const STORAGE_TEXTURES_PER_STAGE: u32 = 4;
    /// maxSampledTexturesPerShaderStage.
    pub const SAMPLED_TEXTURES_PER_STAGE: u32 = 16;
    /// maxSamplersPerShaderStage.
    pub const SAMPLERS_PER_STAGE: u32 = 16;
    /// maxBindGroups: group indices must be below it.
    pub const BIND_GROUPS: u32 = 4;
    /// maxBindingsPerBindGroup: binding numbers must be below it.
    pub const BINDINGS_PER_BIND_GROUP: u32 = 1000;
}

/// What one compute entry point uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryUsage {
    /// `file: entry`.
    pub name: String,
    /// `@workgroup_size(x, y, z)`.
    pub workgroup_size: [u32; 3],
    /// Bytes of workgroup memory: the sum over the workgroup variables it uses of
    /// `roundUp(16, SizeOf(T))` (WebGPU's rule; `SizeOf` by WGSL's layout rules).
    pub workgroup_bytes: u32,
    /// Storage buffers it uses.
    pub storage_buffers: u32,
    /// Uniform buffers it uses.
    pub uniform_buffers: u32,
    /// Storage textures it uses.
    pub storage_textures: u32,
    /// Sampled textures it uses.
    pub sampled_textures: u32,
    /// Samplers it uses.
    pub samplers: u32,
    /// Bind groups its layout needs (the largest group index it uses, plus one).
    pub bind_groups: u32,
    /// The largest binding number it uses (`None` without bindings).
    pub max_binding: Option<u32>,
}

impl EntryUsage {
    /// Invocations per workgroup.
    pub fn invocations(&self) -> u64 {
        self.workgroup_size.iter().map(|&d| d as u64).product()
    }

    /// Every default limit this entry point exceeds, each with its numbers.
    pub fn violations(&self) -> Vec<String> {
        use default::*;
        let [x, y, z] = self.workgroup_size;
        let mut v = Vec::new();
        let mut over = |what: &str, got: u64, max: u32| {
            if got > max as u64 {
                v.push(format!("{what} {got} > {max}"));
            }
        };
        over(
            "maxComputeInvocationsPerWorkgroup",
            self.invocations(),
            INVOCATIONS_PER_WORKGROUP,
        );
        over("maxComputeWorkgroupSizeX", x as u64, WORKGROUP_SIZE_X);
        over("maxComputeWorkgroupSizeY", y as u64, WORKGROUP_SIZE_Y);
        over("maxComputeWorkgroupSizeZ", z as u64, WORKGROUP_SIZE_Z);
        over(
            "maxComputeWorkgroupStorageSize",
            self.workgroup_bytes as u64,
            WORKGROUP_STORAGE_BYTES,
        );
        over(
            "maxStorageBuffersPerShaderStage",
            self.storage_buffers as u64,
            STORAGE_BUFFERS_PER_STAGE,
        );
        over(
            "maxUniformBuffersPerShaderStage",
            self.uniform_buffers as u64,
            UNIFORM_BUFFERS_PER_STAGE,
        );
        over(
            "maxStorageTexturesPerShaderStage",
            self.storage_textures as u64,
            STORAGE_TEXTURES_PER_STAGE,
        );
        over(
            "maxSampledTexturesPerShaderStage",
            self.sampled_textures as u64,
            SAMPLED_TEXTURES_PER_STAGE,
        );
        over(
            "maxSamplersPerShaderStage",
            self.samplers as u64,
            SAMPLERS_PER_STAGE,
        );
        over("maxBindGroups", self.bind_groups as u64, BIND_GROUPS);
        // Binding numbers run from 0, so the largest must be below the limit.
        if let Some(b) = self.max_binding {
            over(
                "maxBindingsPerBindGroup",
                b as u64 + 1,
                BINDINGS_PER_BIND_GROUP,
            );
        }
        v
    }
}

/// The usage of every compute entry point of a validated module (`file` names it).
/// An error for a workgroup size set by pipeline overrides (not known here) or a type
/// naga cannot lay out.
pub fn entry_usages(
    file: &str,
    module: &Module,
    info: &ModuleInfo,
) -> Result<Vec<EntryUsage>, String> {
    let mut layouter = Layouter::default();
    layouter
        .update(module.to_ctx())
        .map_err(|e| format!("{file}: cannot lay out its types: {e}"))?;
    let mut out = Vec::new();
    for (index, ep) in module.entry_points.iter().enumerate() {
        if ep.stage != ShaderStage::Compute {
            continue;
        }
        let name = format!("{file}: {}", ep.name);
        if ep.workgroup_size_overrides.is_some() {
            return Err(format!(
                "{name}: the workgroup size comes from pipeline overrides; resolve them \
                 before checking the limits"
            ));
        }
        let uses = info.get_entry_point(index);
        let mut u = EntryUsage {
            name,
            workgroup_size: ep.workgroup_size,
            ..EntryUsage::default()
        };
        for (handle, var) in module.global_variables.iter() {
            if uses[handle].is_empty() {
                continue; // declared, but not statically used by this entry point
            }
            match var.space {
                AddressSpace::WorkGroup => {
                    let size = layouter[var.ty].size;
                    u.workgroup_bytes += Alignment::SIXTEEN.round_up(size);
                }
                AddressSpace::Storage { .. } => u.storage_buffers += 1,
                AddressSpace::Uniform => u.uniform_buffers += 1,
                AddressSpace::Handle => match &module.types[var.ty].inner {
                    TypeInner::Image {
                        class: ImageClass::Storage { .. },
                        ..
                    } => u.storage_textures += 1,
                    TypeInner::Image { .. } => u.sampled_textures += 1,
                    TypeInner::Sampler { .. } => u.samplers += 1,
                    _ => {}
                },
                _ => {}
            }
            if let Some(rb) = &var.binding {
                u.bind_groups = u.bind_groups.max(rb.group + 1);
                u.max_binding = Some(u.max_binding.map_or(rb.binding, |b| b.max(rb.binding)));
            }
        }
        out.push(u);
    }
    Ok(out)
}

/// A table of every entry's numbers, the limits in its header.
pub fn table(usages: &[EntryUsage]) -> String {
    use default::*;
    let mut s = format!(
        "{:<40} {:>13} {:>6} {:>10} {:>7} {:>7} {:>9} {:>6} {:>7}\n",
        "entry point",
        "workgroup",
        "invoc",
        "wg bytes",
        "storage",
        "uniform",
        "textures",
        "groups",
        "binding"
    );
    s += &format!(
        "{:<40} {:>13} {:>6} {:>10} {:>7} {:>7} {:>9} {:>6} {:>7}\n",
        "(WebGPU default limit)",
        format!("{WORKGROUP_SIZE_X},{WORKGROUP_SIZE_Y},{WORKGROUP_SIZE_Z}"),
        INVOCATIONS_PER_WORKGROUP,
        WORKGROUP_STORAGE_BYTES,
        STORAGE_BUFFERS_PER_STAGE,
        UNIFORM_BUFFERS_PER_STAGE,
        format!("{STORAGE_TEXTURES_PER_STAGE}/{SAMPLED_TEXTURES_PER_STAGE}/{SAMPLERS_PER_STAGE}"),
        BIND_GROUPS,
        format!("<{BINDINGS_PER_BIND_GROUP}"),
    );
    for u in usages {
        let [x, y, z] = u.workgroup_size;
        s += &format!(
            "{:<40} {:>13} {:>6} {:>10} {:>7} {:>7} {:>9} {:>6} {:>7}{}\n",
            u.name,
            format!("{x},{y},{z}"),
            u.invocations(),
            u.workgroup_bytes,
            u.storage_buffers,
            u.uniform_buffers,
            format!(
                "{}/{}/{}",
                u.storage_textures, u.sampled_textures, u.samplers
            ),
            u.bind_groups,
            u.max_binding.map_or("-".to_string(), |b| b.to_string()),
            if u.violations().is_empty() {
                ""
            } else {
                "  <- over"
            },
        );
    }
    s
}
