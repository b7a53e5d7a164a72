import CloudTrialFeatures
import Foundation
import XCTest

/// The camera-to-core and core-to-screen conversions.
final class PictureTests: XCTestCase {
    func testNV12WithPaddedRowsBecomesI420() {
        // 4×2 picture, Y rows padded to 6 bytes, one CbCr row padded to 6.
        let y: [UInt8] = [1, 2, 3, 4, 99, 99, 5, 6, 7, 8, 99, 99]
        let uv: [UInt8] = [10, 20, 11, 21, 99, 99]
        let out = y.withUnsafeBufferPointer { yp in
            uv.withUnsafeBufferPointer { uvp in
                I420.fromNV12(y: yp.baseAddress!, yStride: 6, uv: uvp.baseAddress!, uvStride: 6, width: 4, height: 2)
            }
        }
        XCTAssertEqual(Array(out), [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 20, 21])
    }

    func testAQuarterTurnMovesTheTopLeftToTheTopRight() {
        var data = Data(repeating: 0, count: 4 * 2 * 3 / 2)
        data[0] = 200 // top left of a 4×2 picture
        let turned = I420.rotateClockwise(I420Frame(width: 4, height: 2, data: data))
        XCTAssertEqual(turned.width, 2)
        XCTAssertEqual(turned.height, 4)
        XCTAssertEqual(turned.data[1], 200, "now top right of a 2×4 picture")
        XCTAssertEqual(turned.data.count, data.count)
    }

    func testGreyStaysGreyOnScreen() {
        let grey = I420Frame(width: 2, height: 2, data: Data([126, 126, 126, 126, 128, 128]))
        let bgra = Array(I420.toBGRA(grey))
        XCTAssertEqual(bgra.count, 16)
        XCTAssertEqual(bgra[0], bgra[1])
        XCTAssertEqual(bgra[1], bgra[2])
        XCTAssertEqual(bgra[3], 255)
        XCTAssertTrue((120...135).contains(bgra[0]), "\(bgra[0])")
    }
}
