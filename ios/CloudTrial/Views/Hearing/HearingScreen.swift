import CloudTrialFeatures
import SwiftUI

/// 视频庭审: everyone on one screen (原告 张三 at each tile's bottom left),
/// double tap enlarges a tile and double tap again restores it; the
/// recognition panel; 您已被屏蔽，请等待法官传唤 alone while blocked; the
/// network quality and 重新连接中.
struct HearingScreen: View {
    let model: HearingViewModel
    let renderer: VideoRenderer
    let toggleCamera: () -> Void
    let switchCamera: () -> Void
    let enlargedChanged: (Int64?) -> Void

    var body: some View {
        let state = model.state
        VStack(spacing: 0) {
            StatusBar(state: state)
            if let blocked = state.blockedMessage {
                BlockedView(message: blocked)
            } else {
                if state.mediaEnded {
                    // 闭庭: no pictures any more; the record is still there to read and sign.
                    Text(verbatim: state.mediaLabel ?? "")
                        .foregroundStyle(.secondary)
                        .frame(maxWidth: .infinity, maxHeight: .infinity)
                } else {
                    VideoWall(tiles: state.tiles, enlarged: state.enlarged, renderer: renderer, doubleTap: model.tileDoubleTapped)
                        .overlay {
                            if state.reconnecting {
                                Label("重新连接中", systemImage: "arrow.triangle.2.circlepath")
                                    .padding(12)
                                    .background(.ultraThinMaterial, in: Capsule())
                            }
                        }
                }
                if state.mutedByJudge {
                    Label("您已被法官静音", systemImage: "mic.slash.fill")
                        .font(.callout)
                        .foregroundStyle(.orange)
                        .padding(.vertical, 4)
                }
                RecognitionPanel(message: state.recognitionMessage, lines: state.recognition)
                    .frame(maxHeight: 180)
            }
            Controls(state: state, toggleMicrophone: model.toggleMicrophone, toggleCamera: toggleCamera, switchCamera: switchCamera)
        }
        .overlay(alignment: .top) {
            if let error = state.error { ErrorBanner(message: error, dismiss: model.dismissError) }
        }
        // Picture-in-picture follows the enlarged tile, or the first other participant's, from the start.
        .onChange(of: state.enlarged ?? state.tiles.first { !$0.isMe }?.participantId, initial: true) { _, id in
            enlargedChanged(id)
        }
    }
}

private struct StatusBar: View {
    let state: HearingState

    var body: some View {
        HStack {
            if let phase = state.phaseLabel { Text(phase).bold() }
            Spacer()
            NetworkBadge(quality: state.network)
            if let media = state.mediaLabel { Text(media).font(.caption).foregroundStyle(.secondary) }
        }
        .padding(.horizontal)
        .padding(.vertical, 6)
    }
}

/// 网络良好 / 网络一般 / 网络较差
struct NetworkBadge: View {
    let quality: NetworkQuality

    var body: some View {
        switch quality {
        case .unknown: EmptyView()
        case .good: Label("网络良好", systemImage: "wifi").foregroundStyle(.green).font(.caption)
        case .fair: Label("网络一般", systemImage: "wifi").foregroundStyle(.orange).font(.caption)
        case .poor: Label("网络较差", systemImage: "wifi.exclamationmark").foregroundStyle(.red).font(.caption)
        }
    }
}

/// The tiles in a grid; the enlarged one large (its picture whole) with the others in a strip below.
private struct VideoWall: View {
    let tiles: [Tile]
    let enlarged: Int64?
    let renderer: VideoRenderer
    let doubleTap: (Int64) -> Void

    var body: some View {
        if let enlarged, let big = tiles.first(where: { $0.participantId == enlarged }) {
            VStack(spacing: 4) {
                VideoTileView(tile: big, image: image(for: big), fit: true)
                    .onTapGesture(count: 2) { doubleTap(big.participantId) }
                ScrollView(.horizontal) {
                    HStack(spacing: 4) {
                        ForEach(tiles.filter { $0.participantId != enlarged }) { tile in
                            VideoTileView(tile: tile, image: image(for: tile), fit: false)
                                .frame(width: 120, height: 90)
                                .onTapGesture(count: 2) { doubleTap(tile.participantId) }
                        }
                    }
                }
                .frame(height: 94)
            }
        } else {
            ScrollView {
                LazyVGrid(columns: [GridItem(.flexible(), spacing: 4), GridItem(.flexible(), spacing: 4)], spacing: 4) {
                    ForEach(tiles) { tile in
                        VideoTileView(tile: tile, image: image(for: tile), fit: false)
                            .aspectRatio(3 / 4, contentMode: .fit)
                            .onTapGesture(count: 2) { doubleTap(tile.participantId) }
                    }
                }
                .padding(4)
            }
        }
    }

    private func image(for tile: Tile) -> CGImage? {
        renderer.images[tile.isMe ? VideoRenderer.ownId : tile.participantId]
    }
}

/// One picture with 原告 张三 at its bottom left and a muted icon.
struct VideoTileView: View {
    let tile: Tile
    let image: CGImage?
    let fit: Bool

    var body: some View {
        ZStack(alignment: .bottomLeading) {
            Color.black
            if let image {
                Image(decorative: image, scale: 1)
                    .resizable()
                    .aspectRatio(contentMode: fit ? .fit : .fill)
            } else {
                Image(systemName: "person.fill").font(.largeTitle).foregroundStyle(.gray)
                    .frame(maxWidth: .infinity, maxHeight: .infinity)
            }
            HStack(spacing: 4) {
                if tile.muted { Image(systemName: "mic.slash.fill").foregroundStyle(.red) }
                Text(tile.label)
            }
            .font(.caption)
            .foregroundStyle(.white)
            .padding(.horizontal, 6)
            .padding(.vertical, 3)
            .background(.black.opacity(0.5), in: RoundedRectangle(cornerRadius: 4))
            .padding(6)
        }
        .clipped()
        .accessibilityElement(children: .combine)
        .accessibilityHint(Text("双击放大，再次双击恢复"))
    }
}

/// 语音识别: 原告 张三 00:12 and the words; the words so far in grey until the sentence ends.
private struct RecognitionPanel: View {
    let message: String?
    let lines: [RecognitionLine]

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text("语音识别").font(.caption.bold())
            if lines.isEmpty {
                Text(message ?? "").font(.footnote).foregroundStyle(.secondary)
                    .frame(maxWidth: .infinity, maxHeight: .infinity, alignment: .topLeading)
            } else {
                ScrollViewReader { proxy in
                    ScrollView {
                        LazyVStack(alignment: .leading, spacing: 4) {
                            ForEach(lines) { line in
                                VStack(alignment: .leading, spacing: 1) {
                                    Text("\(line.speakerLabel) \(line.time)").font(.caption2).foregroundStyle(.secondary)
                                    Text(line.text).font(.footnote).foregroundStyle(line.isFinal ? .primary : .secondary)
                                }
                                .id(line.segment)
                            }
                        }
                    }
                    .onChange(of: lines.last?.segment) { _, last in
                        if let last { withAnimation { proxy.scrollTo(last, anchor: .bottom) } }
                    }
                }
            }
        }
        .padding(8)
        .background(Color(.secondarySystemBackground))
    }
}

/// Blocked by the judge: nothing of the hearing, only the message.
private struct BlockedView: View {
    let message: String

    var body: some View {
        ContentUnavailableView {
            Label(message, systemImage: "hand.raised.fill")
        } description: {
            Text("法官传唤后将自动恢复庭审画面")
        }
        .frame(maxHeight: .infinity)
    }
}

private struct Controls: View {
    let state: HearingState
    let toggleMicrophone: () -> Void
    let toggleCamera: () -> Void
    let switchCamera: () -> Void

    var body: some View {
        HStack(spacing: 28) {
            Button(action: toggleMicrophone) {
                Label(state.microphoneOn ? "关闭麦克风" : "打开麦克风", systemImage: state.microphoneOn ? "mic.fill" : "mic.slash.fill")
            }
            Button(action: toggleCamera) {
                Label(state.cameraOn ? "关闭摄像头" : "打开摄像头", systemImage: state.cameraOn ? "video.fill" : "video.slash.fill")
            }
            Button(action: switchCamera) {
                Label("切换摄像头", systemImage: "arrow.triangle.2.circlepath.camera")
            }
        }
        .labelStyle(.iconOnly)
        .font(.title2)
        .padding(.vertical, 10)
    }
}
