import CloudTrialFeatures
import PDFKit
import QuickLook
import SwiftUI

/// An item full screen: images zoom (pinch, double tap) and pan, PDF pages
/// scroll and zoom, audio, video and documents open in Quick Look. 圈注 lies
/// over the image and each PDF page.
struct EvidenceViewer: View {
    let viewer: Viewer
    let makeAnnotation: () -> AnnotationViewModel?
    let close: () -> Void
    /// One 圈注 session per item shown, kept across redraws (the list behind redraws on every change).
    @State private var annotation: AnnotationViewModel?

    var body: some View {
        NavigationStack {
            Group {
                switch viewer {
                case let .image(_, _, path):
                    ZoomableImage(path: path, annotation: annotation)
                case let .pdf(_, _, path):
                    PDFPages(path: path, annotation: annotation)
                case let .external(_, _, path, _):
                    QuickLookPreview(url: URL(fileURLWithPath: path))
                }
            }
            .navigationTitle(viewer.title)
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("关闭", action: close) }
            }
            .safeAreaInset(edge: .bottom) {
                if let annotation { AnnotationToolbar(model: annotation) }
            }
        }
        .onAppear { if annotation == nil { openAnnotation() } }
        .onChange(of: viewer.evidenceId) { openAnnotation() }
        .onDisappear {
            annotation?.stop()
            annotation = nil
        }
    }

    private func openAnnotation() {
        annotation?.stop()
        annotation = makeAnnotation()
        annotation?.start()
    }
}

/// The picture, whole at first; pinch to zoom, drag to pan — unless the finger draws (圈注).
private struct ZoomableImage: View {
    let path: String
    let annotation: AnnotationViewModel?
    @State private var scale: CGFloat = 1
    @State private var settledScale: CGFloat = 1
    @State private var offset: CGSize = .zero
    @State private var settledOffset: CGSize = .zero
    /// Read once: the body runs again on every stroke of 圈注.
    @State private var image: UIImage?
    @State private var loaded = false

    var body: some View {
        let drawing = annotation?.state.drawing == true
        GeometryReader { geometry in
            if !loaded {
                ProgressView()
                    .frame(width: geometry.size.width, height: geometry.size.height)
                    .onAppear {
                        image = UIImage(contentsOfFile: path)
                        loaded = true
                    }
            } else if let image {
                Image(uiImage: image)
                    .resizable()
                    .aspectRatio(contentMode: .fit)
                    .overlay {
                        if let annotation { AnnotationOverlay(model: annotation, page: 1) }
                    }
                    .scaleEffect(scale)
                    .offset(offset)
                    .frame(width: geometry.size.width, height: geometry.size.height)
                    .gesture(MagnifyGesture()
                        .onChanged { scale = max(1, settledScale * $0.magnification) }
                        .onEnded { _ in settledScale = scale }, including: drawing ? .subviews : .all)
                    .simultaneousGesture(DragGesture()
                        .onChanged { offset = CGSize(width: settledOffset.width + $0.translation.width, height: settledOffset.height + $0.translation.height) }
                        .onEnded { _ in settledOffset = offset }, including: drawing ? .subviews : .all)
                    .onTapGesture(count: 2) {
                        withAnimation {
                            scale = scale > 1 ? 1 : 2.5
                            settledScale = scale
                            if scale == 1 { offset = .zero; settledOffset = .zero }
                        }
                    }
            } else {
                ContentUnavailableView("无法显示该图片", systemImage: "photo")
            }
        }
        .background(Color.black)
    }
}

/// PDF pages one under the other, each with its own 圈注 layer (pages from 1).
private struct PDFPages: View {
    let path: String
    let annotation: AnnotationViewModel?
    /// Opened once: the body runs again on every stroke of 圈注.
    @State private var document: PDFDocument?
    @State private var opened = false

    var body: some View {
        if !opened {
            ProgressView().onAppear {
                document = PDFDocument(url: URL(fileURLWithPath: path))
                opened = true
            }
        } else if let document {
            ScrollView {
                LazyVStack(spacing: 8) {
                    ForEach(0..<document.pageCount, id: \.self) { index in
                        if let page = document.page(at: index) {
                            PDFPageView(page: page, number: index + 1, count: document.pageCount, annotation: annotation)
                        }
                    }
                }
                .padding(8)
            }
            .scrollDisabled(annotation?.state.drawing == true)
        } else {
            ContentUnavailableView("无法显示该文件", systemImage: "doc")
        }
    }
}

/// One page, drawn once at twice its size, with its 圈注 layer.
private struct PDFPageView: View {
    let page: PDFPage
    let number: Int
    let count: Int
    let annotation: AnnotationViewModel?
    @State private var picture: UIImage?

    var body: some View {
        let bounds = page.bounds(for: .mediaBox)
        Group {
            if let picture {
                Image(uiImage: picture).resizable()
            } else {
                Color.white
            }
        }
        .aspectRatio(bounds.width / max(bounds.height, 1), contentMode: .fit)
        .overlay {
            if let annotation { AnnotationOverlay(model: annotation, page: number) }
        }
        .overlay(alignment: .bottomTrailing) {
            Text("第\(number)页，共\(count)页").font(.caption2).padding(4)
        }
        .onAppear {
            if picture == nil {
                picture = page.thumbnail(of: CGSize(width: bounds.width * 2, height: bounds.height * 2), for: .mediaBox)
            }
        }
    }
}

/// Audio, video and documents in Quick Look.
private struct QuickLookPreview: UIViewControllerRepresentable {
    let url: URL

    func makeUIViewController(context: Context) -> QLPreviewController {
        let controller = QLPreviewController()
        controller.dataSource = context.coordinator
        return controller
    }

    func updateUIViewController(_ controller: QLPreviewController, context: Context) {}

    func makeCoordinator() -> Coordinator { Coordinator(url: url) }

    final class Coordinator: NSObject, QLPreviewControllerDataSource {
        let url: URL
        init(url: URL) { self.url = url }
        func numberOfPreviewItems(in controller: QLPreviewController) -> Int { 1 }
        func previewController(_ controller: QLPreviewController, previewItemAt index: Int) -> QLPreviewItem { url as NSURL }
    }
}
