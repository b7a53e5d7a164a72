import CloudTrialFeatures
import SwiftUI

/// The hearing: 视频庭审, 证据材料 and 庭审笔录 as tabs, the video kept in view.
struct LiveHearingView: View {
    let hearing: LiveHearing
    let left: () -> Void
    @State private var confirmLeave = false
    @State private var tab = Tab.hearing
    /// Why the room ended, shown before going back to 会议号登录.
    @State private var endedMessage: String?

    private enum Tab { case hearing, evidence, record }

    var body: some View {
        TabView(selection: $tab) {
            NavigationStack {
                Group {
                    if let model = hearing.hearing {
                        HearingScreen(model: model, renderer: hearing.renderer,
                                      toggleCamera: hearing.toggleCamera, switchCamera: hearing.switchCamera,
                                      enlargedChanged: { hearing.pictureInPicture.follow(participantId: $0) })
                    } else if let error = hearing.error {
                        ContentUnavailableView("无法进入庭审", systemImage: "wifi.exclamationmark", description: Text(error))
                    } else {
                        ProgressView("正在进入庭审…")
                    }
                }
                .navigationTitle("视频庭审")
                .navigationBarTitleDisplayMode(.inline)
                .toolbar {
                    ToolbarItem(placement: .topBarTrailing) {
                        Button("退出") { confirmLeave = true }
                    }
                }
            }
            .tabItem { Label("视频庭审", systemImage: "video") }
            .tag(Tab.hearing)

            NavigationStack {
                Group {
                    if let evidence = hearing.evidence {
                        EvidenceScreen(model: evidence, annotation: { id in
                            guard let service = hearing.annotationService, let room = hearing.hearingRoom else { return nil }
                            return AnnotationViewModel(service: service, room: room, evidenceId: id, myId: hearing.myId)
                        })
                    } else {
                        ProgressView()
                    }
                }
                .navigationTitle("证据材料")
            }
            .tabItem { Label("证据材料", systemImage: "doc.on.doc") }
            .tag(Tab.evidence)

            NavigationStack {
                Group {
                    if let record = hearing.record { RecordScreen(model: record) } else { ProgressView() }
                }
                .navigationTitle("庭审笔录")
            }
            .tabItem { Label("庭审笔录", systemImage: "doc.text") }
            .tag(Tab.record)
        }
        // 发起签名 reaches the party wherever they are in the app, as the QR code pops up on a PC.
        .alert("签名", isPresented: Binding(get: { hearing.record?.state.signPrompt ?? false },
                                           set: { if !$0 { hearing.record?.dismissSignPrompt() } })) {
            Button("签名") {
                tab = .record
                hearing.record?.openSigningPad()
            }
            Button("稍后签名", role: .cancel) { hearing.record?.dismissSignPrompt() }
        } message: {
            Text("书记员已发起签名，请核对笔录后签名")
        }
        .confirmationDialog("确定退出庭审吗？", isPresented: $confirmLeave, titleVisibility: .visible) {
            Button("退出庭审", role: .destructive) {
                hearing.close()
                left()
            }
            Button("取消", role: .cancel) {}
        }
        .onChange(of: hearing.hearing?.state.mediaEnded ?? false) { _, over in
            if over { hearing.stopMedia() }
        }
        // Initial too: the room may have ended (or been entered on another device) during the device check.
        .onChange(of: hearing.hearing?.state.ended, initial: true) { _, ended in
            guard let ended else { return }
            endedMessage = switch ended {
            case .replaced: String(localized: "您已在其他设备进入庭审")
            case let .ended(reason): reason
            }
            hearing.close()
        }
        .alert(endedMessage ?? "", isPresented: Binding(get: { endedMessage != nil },
                                                       set: { if !$0 { endedMessage = nil; left() } })) {
            Button("退出庭审") {}
        }
    }
}
