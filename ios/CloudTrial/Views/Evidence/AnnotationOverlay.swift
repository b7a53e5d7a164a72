import CloudTrialFeatures
import SwiftUI

/// 圈注 over one page: everyone's marks (with 被告 李四 beside them), others'
/// strokes as they are drawn, this phone's stroke under the finger. Touches
/// are reported to the view model as fractions of the page, so marks land in
/// the same place on every screen.
struct AnnotationOverlay: View {
    let model: AnnotationViewModel
    let page: Int
    /// True while a finger is down; SwiftUI resets it when the drag ends or is cancelled.
    @GestureState private var touching = false

    var body: some View {
        let state = model.state
        GeometryReader { geometry in
            let size = geometry.size
            ZStack(alignment: .topLeading) {
                Canvas { context, size in
                    for mark in state.marks(on: page) { draw(mark.shape, colour: mark.colour, in: &context, size: size, dashed: false) }
                    for mark in state.previews(on: page) { draw(mark.shape, colour: mark.colour, in: &context, size: size, dashed: true) }
                    if let committing = state.committing, committing.page == page {
                        draw(committing.shape, colour: committing.colour, in: &context, size: size, dashed: false)
                    }
                    if let stroke = state.stroke, stroke.page == page {
                        draw(stroke.shape, colour: stroke.colour, in: &context, size: size, dashed: false)
                    }
                }
                ForEach(Array(state.marks(on: page).enumerated()), id: \.offset) { _, mark in
                    let at = anchor(of: mark.shape)
                    Text(mark.authorLabel)
                        .font(.caption2)
                        .padding(2)
                        .background(.white.opacity(0.8), in: RoundedRectangle(cornerRadius: 2))
                        .position(x: CGFloat(at.x) * size.width, y: max(CGFloat(at.y) * size.height - 10, 8))
                }
            }
            .contentShape(Rectangle())
            .gesture(
                DragGesture(minimumDistance: 0)
                    .updating($touching) { _, touching, _ in touching = true }
                    .onChanged { value in
                        let x = Float(value.location.x / max(size.width, 1)), y = Float(value.location.y / max(size.height, 1))
                        if model.state.stroke == nil && model.state.textAt == nil {
                            model.pointerDown(page: page, x: x, y: y)
                        } else {
                            model.pointerMove(x: x, y: y)
                        }
                    }
                    .onEnded { _ in model.pointerUp() },
                including: state.drawing ? .all : .subviews
            )
        }
        .allowsHitTesting(state.drawing)
        // A drag that ends without `onEnded` was cancelled (the system took the touch, a call came in):
        // the stroke is given up. Asked on the next turn of the main loop, when a lift's `onEnded` has
        // certainly run: `pointerUp` has then taken the stroke and this does nothing.
        .onChange(of: touching) { _, down in
            if !down { Task { @MainActor in model.pointerCancel() } }
        }
        .alert("添加文字", isPresented: Binding(get: { model.state.textAt != nil && model.state.textAt?.page == page }, set: { if !$0 { model.cancelText() } })) {
            TextEntry(place: model.placeText, cancel: model.cancelText)
        }
    }

    private func point(_ p: PagePoint, _ size: CGSize) -> CGPoint {
        CGPoint(x: CGFloat(p.x) * size.width, y: CGFloat(p.y) * size.height)
    }

    private func anchor(of shape: MarkShape) -> PagePoint {
        switch shape {
        case let .ink(points): return points.first ?? PagePoint(x: 0, y: 0)
        case let .rectangle(from, to), let .ellipse(from, to): return PagePoint(x: min(from.x, to.x), y: min(from.y, to.y))
        case let .arrow(from, _): return from
        case let .text(at, _): return at
        }
    }

    private func draw(_ shape: MarkShape, colour: MarkColour, in context: inout GraphicsContext, size: CGSize, dashed: Bool) {
        let style = StrokeStyle(lineWidth: 3, lineCap: .round, lineJoin: .round, dash: dashed ? [6, 4] : [])
        let color = colour.color
        switch shape {
        case let .ink(points):
            var path = Path()
            path.addLines(points.map { point($0, size) })
            context.stroke(path, with: .color(color), style: style)
        case let .rectangle(from, to):
            context.stroke(Path(CGRect(from: point(from, size), to: point(to, size))), with: .color(color), style: style)
        case let .ellipse(from, to):
            context.stroke(Path(ellipseIn: CGRect(from: point(from, size), to: point(to, size))), with: .color(color), style: style)
        case let .arrow(from, to):
            let a = point(from, size), b = point(to, size)
            var path = Path()
            path.move(to: a)
            path.addLine(to: b)
            let angle = atan2(b.y - a.y, b.x - a.x)
            for side in [CGFloat.pi * 0.8, -CGFloat.pi * 0.8] {
                path.move(to: b)
                path.addLine(to: CGPoint(x: b.x + 14 * cos(angle + side), y: b.y + 14 * sin(angle + side)))
            }
            context.stroke(path, with: .color(color), style: style)
        case let .text(at, text):
            context.draw(Text(text).font(.headline).foregroundStyle(color), at: point(at, size), anchor: .topLeading)
        }
    }
}

/// The 文字 tool's entry field.
private struct TextEntry: View {
    let place: (String) -> Void
    let cancel: () -> Void
    @State private var text = ""

    var body: some View {
        TextField("文字内容", text: $text)
        Button("确定") { place(text) }
        Button("取消", role: .cancel, action: cancel)
    }
}

/// 申请圈注 / 已申请圈注，等待法官同意, then 浏览, 画笔/矩形/椭圆/箭头/文字, four colours and 撤销.
struct AnnotationToolbar: View {
    let model: AnnotationViewModel

    var body: some View {
        let state = model.state
        VStack(spacing: 6) {
            if let error = state.error {
                Text(error).font(.caption).foregroundStyle(.red).onTapGesture(perform: model.dismissError)
            }
            if state.canRequest {
                Button("申请圈注", action: model.request).buttonStyle(.borderedProminent)
            } else if state.waiting {
                Text("已申请圈注，等待法官同意").font(.footnote).foregroundStyle(.secondary)
            } else if state.mayDraw {
                ScrollView(.horizontal, showsIndicators: false) {
                    HStack(spacing: 14) {
                        tool("浏览", "hand.draw", selected: !state.drawingMode, action: model.stopDrawing)
                        ForEach(AnnotationTool.allCases, id: \.self) { tool in
                            self.tool(tool.title, tool.symbol, selected: state.drawingMode && state.tool == tool) { model.chooseTool(tool) }
                        }
                        Divider().frame(height: 24)
                        ForEach(MarkColour.allCases, id: \.self) { colour in
                            Circle().fill(colour.color).frame(width: 22, height: 22)
                                .overlay(Circle().stroke(.primary, lineWidth: state.colour == colour ? 2 : 0))
                                .onTapGesture { model.chooseColour(colour) }
                                .accessibilityLabel(Text(colour.title))
                        }
                        Divider().frame(height: 24)
                        tool("撤销", "arrow.uturn.backward", selected: false, action: model.undo)
                    }
                    .padding(.horizontal)
                }
            }
        }
        .padding(.vertical, 8)
        .frame(maxWidth: .infinity)
        .background(.bar)
    }

    private func tool(_ title: LocalizedStringKey, _ symbol: String, selected: Bool, action: @escaping () -> Void) -> some View {
        Button(action: action) {
            VStack(spacing: 2) {
                Image(systemName: symbol)
                Text(title).font(.caption2)
            }
        }
        .foregroundStyle(selected ? Color.accentColor : Color.primary)
    }
}

extension AnnotationTool {
    var title: LocalizedStringKey {
        switch self {
        case .pen: return "画笔"
        case .rectangle: return "矩形"
        case .ellipse: return "椭圆"
        case .arrow: return "箭头"
        case .text: return "文字"
        }
    }

    var symbol: String {
        switch self {
        case .pen: return "pencil.tip"
        case .rectangle: return "rectangle"
        case .ellipse: return "circle"
        case .arrow: return "arrow.up.right"
        case .text: return "textformat"
        }
    }
}

extension MarkColour {
    var color: Color {
        switch self {
        case .red: return .red
        case .blue: return .blue
        case .green: return .green
        case .orange: return .orange
        }
    }

    var title: LocalizedStringKey {
        switch self {
        case .red: return "红色"
        case .blue: return "蓝色"
        case .green: return "绿色"
        case .orange: return "橙色"
        }
    }
}

extension CGRect {
    init(from a: CGPoint, to b: CGPoint) {
        self.init(x: min(a.x, b.x), y: min(a.y, b.y), width: abs(b.x - a.x), height: abs(b.y - a.y))
    }
}
