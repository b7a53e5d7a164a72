//! The evidence preview pipeline on a 12-megapixel phone photo: CPU time
//! (criterion) and peak heap memory (a counting allocator) for the 2048 px
//! preview and the 256 px thumbnail together.
//!
//!     cargo bench -p cloudtrial-server --bench previews

// Only the allocator that measures peak memory needs unsafe, and only here.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use cloudtrial_server::evidence::images::{ImageLimits, derive, photo_info};
use cloudtrial_server::evidence::sniff::ImageFormat;
use criterion::{Criterion, criterion_group, criterion_main};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// 4000×3000 with gradients and noise, quality 90, 4:2:0: what a phone's camera makes.
fn twelve_megapixels() -> Vec<u8> {
    let (w, h) = (4000usize, 3000usize);
    let mut rgb = vec![0u8; w * h * 3];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for y in 0..h {
        for x in 0..w {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let noise = (seed % 32) as u8;
            let i = (y * w + x) * 3;
            rgb[i] = ((x * 255 / w) as u8).wrapping_add(noise);
            rgb[i + 1] = ((y * 255 / h) as u8).wrapping_add(noise);
            rgb[i + 2] = (((x + y) % 255) as u8).wrapping_add(noise);
        }
    }
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    encoder.encode(&rgb, w as u16, h as u16, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

fn previews(c: &mut Criterion) {
    let photo = twelve_megapixels();
    let limits = ImageLimits::default();

    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let derived = derive(&photo, ImageFormat::Jpeg, photo_info(&photo).orientation, limits).unwrap();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    println!(
        "12 MP JPEG ({:.1} MB): preview {} KB, thumbnail {} KB, peak heap {:.1} MB",
        photo.len() as f64 / 1e6,
        derived.preview.len() / 1024,
        derived.thumbnail.len() / 1024,
        peak as f64 / (1 << 20) as f64
    );

    // CPU time (all threads of this process), from /proc: what the server pays per photo.
    let cpu_ticks = || -> u64 {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
        fields.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0) + fields.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0)
    };
    let runs = 20;
    let start = cpu_ticks();
    for _ in 0..runs {
        derive(&photo, ImageFormat::Jpeg, Some(6), limits).unwrap();
    }
    println!("CPU time per photo: {:.0} ms (all threads, {runs} runs)", (cpu_ticks() - start) as f64 * 10.0 / f64::from(runs));

    let mut group = c.benchmark_group("evidence previews");
    group.sample_size(20);
    group.bench_function("12 MP JPEG -> 2048 px preview + 256 px thumbnail", |b| {
        b.iter(|| derive(&photo, ImageFormat::Jpeg, Some(6), limits).unwrap())
    });
    group.finish();
}

criterion_group!(benches, previews);
criterion_main!(benches);
