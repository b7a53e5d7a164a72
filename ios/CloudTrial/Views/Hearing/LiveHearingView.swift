import CloudTrialFeatures
import SwiftUI

/// The hearing: 视频庭审, 证据材料 and 庭审笔录 as tabs, the video kept in view.
struct LiveHearingView: View {
    let hearing: LiveHearing
    let left: () -> Void
    @State private var confirmLeave = false

    var body: some View {
        TabView {
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

            NavigationStack {
                Group {
                    if let record = hearing.record { RecordScreen(model: record) } else { ProgressView() }
                }
                .navigationTitle("庭审笔录")
            }
            .tabItem { Label("庭审笔录", systemImage: "doc.text") }
        }
        .confirmationDialog("确定退出庭审吗？", isPresented: $confirmLeave, titleVisibility: .visible) {
            Button("退出庭审", role: .destructive) {
                hearing.close()
                left()
            }
            Button("取消", role: .cancel) {}
        }
        .onChange(of: hearing.hearing?.state.ended) { _, ended in
            if ended != nil {
                hearing.close()
                left()
            }
        }
    }
}
