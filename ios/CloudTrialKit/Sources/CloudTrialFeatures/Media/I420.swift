import Foundation

/// Picture conversions between the camera, the core (I420) and the screen (BGRA).
/// Plain Swift, so they are tested on Linux too.
public enum I420 {
    /// The camera's NV12 (`kCVPixelFormatType_420YpCbCr8BiPlanarFullRange`: a Y plane, then
    /// interleaved CbCr at half resolution) to I420, reading rows with their strides.
    /// Width and height must be even.
    public static func fromNV12(y: UnsafePointer<UInt8>, yStride: Int, uv: UnsafePointer<UInt8>, uvStride: Int, width: Int, height: Int) -> Data {
        let ySize = width * height
        let cw = width / 2, ch = height / 2
        var out = Data(count: ySize + 2 * cw * ch)
        out.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
            let dst = raw.bindMemory(to: UInt8.self).baseAddress!
            for row in 0..<height {
                (dst + row * width).update(from: y + row * yStride, count: width)
            }
            let u = dst + ySize, v = u + cw * ch
            for row in 0..<ch {
                let src = uv + row * uvStride
                for col in 0..<cw {
                    u[row * cw + col] = src[2 * col]
                    v[row * cw + col] = src[2 * col + 1]
                }
            }
        }
        return out
    }

    /// Turns a frame a quarter turn clockwise (a phone held upright gives landscape sensor frames).
    public static func rotateClockwise(_ frame: I420Frame) -> I420Frame {
        let w = frame.width, h = frame.height
        let cw = w / 2, ch = h / 2
        var out = Data(count: frame.data.count)
        frame.data.withUnsafeBytes { (src: UnsafeRawBufferPointer) in
            out.withUnsafeMutableBytes { (dst: UnsafeMutableRawBufferPointer) in
                func plane(_ from: Int, _ to: Int, _ pw: Int, _ ph: Int) {
                    for y in 0..<ph {
                        for x in 0..<pw {
                            // (x, y) → (ph - 1 - y, x) in a ph-wide picture.
                            dst[to + x * ph + (ph - 1 - y)] = src[from + y * pw + x]
                        }
                    }
                }
                plane(0, 0, w, h)
                plane(w * h, w * h, cw, ch)
                plane(w * h + cw * ch, w * h + cw * ch, cw, ch)
            }
        }
        return I420Frame(width: h, height: w, data: out)
    }

    /// I420 to BGRA (BT.601 video range) for `CGImage`/`CVPixelBuffer`, 4 bytes per pixel, rows `width * 4`.
    public static func toBGRA(_ frame: I420Frame) -> Data {
        let w = frame.width, h = frame.height, cw = w / 2
        var out = Data(count: w * h * 4)
        frame.data.withUnsafeBytes { (src: UnsafeRawBufferPointer) in
            out.withUnsafeMutableBytes { (dst: UnsafeMutableRawBufferPointer) in
                let uBase = w * h, vBase = uBase + cw * (h / 2)
                for y in 0..<h {
                    for x in 0..<w {
                        let c = Int(src[y * w + x]) - 16
                        let d = Int(src[uBase + (y / 2) * cw + x / 2]) - 128
                        let e = Int(src[vBase + (y / 2) * cw + x / 2]) - 128
                        func clamp(_ v: Int) -> UInt8 { UInt8(max(0, min(255, v))) }
                        let i = (y * w + x) * 4
                        dst[i] = clamp((298 * c + 516 * d + 128) >> 8)
                        dst[i + 1] = clamp((298 * c - 100 * d - 208 * e + 128) >> 8)
                        dst[i + 2] = clamp((298 * c + 409 * e + 128) >> 8)
                        dst[i + 3] = 255
                    }
                }
            }
        }
        return out
    }
}
