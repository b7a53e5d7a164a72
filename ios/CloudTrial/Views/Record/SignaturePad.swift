import CloudTrialFeatures
import SwiftUI

/// Signing with a finger: the strokes are drawn as they come and sent to the
/// core as points (it renders the signature image the court keeps).
struct SignaturePad: View {
    let strokes: [[StrokePoint]]
    let started: (Float, Float) -> Void
    let moved: (Float, Float) -> Void
    let confirm: (CGSize) -> Void
    @State private var drawing = false

    var body: some View {
        VStack(spacing: 12) {
            GeometryReader { geometry in
                Canvas { context, _ in
                    for stroke in strokes {
                        var path = Path()
                        path.addLines(stroke.map { CGPoint(x: CGFloat($0.x), y: CGFloat($0.y)) })
                        context.stroke(path, with: .color(.black), style: StrokeStyle(lineWidth: 3, lineCap: .round, lineJoin: .round))
                    }
                }
                .background(Color.white)
                .overlay(RoundedRectangle(cornerRadius: 8).stroke(.gray))
                .gesture(
                    DragGesture(minimumDistance: 0)
                        .onChanged { value in
                            let x = Float(min(max(value.location.x, 0), geometry.size.width))
                            let y = Float(min(max(value.location.y, 0), geometry.size.height))
                            if drawing { moved(x, y) } else { started(x, y) }
                            drawing = true
                        }
                        .onEnded { _ in drawing = false }
                )
                .preference(key: PadSize.self, value: geometry.size)
            }
            .frame(height: 200)
            .onPreferenceChange(PadSize.self) { padSize = $0 }
            Button {
                confirm(padSize)
            } label: {
                Text("确认签名").bold().frame(maxWidth: .infinity)
            }
            .buttonStyle(.borderedProminent)
            .disabled(strokes.isEmpty)
        }
    }

    @State private var padSize: CGSize = .zero
}

private struct PadSize: PreferenceKey {
    static let defaultValue: CGSize = .zero
    static func reduce(value: inout CGSize, nextValue: () -> CGSize) { value = nextValue() }
}
