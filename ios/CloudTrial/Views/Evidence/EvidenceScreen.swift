import CloudTrialFeatures
import PhotosUI
import SwiftUI

/// 证据材料: each side's evidence with 反 on counter-evidence, 质证 on the
/// other side's, full-screen viewing, and uploads from the photo library (the
/// system picker: no photo-library permission) or Files, with progress that
/// continues after the app is closed.
struct EvidenceScreen: View {
    let model: EvidenceViewModel
    /// 圈注 in the viewer: a view model over the room, when in the room.
    let annotation: (String) -> AnnotationViewModel?
    @State private var photo: PhotosPickerItem?
    @State private var importingFile = false
    @State private var opinionFor: EvidenceRow?

    /// 从相册上传 (the system picker: no photo-library permission) or 从文件选择.
    private var uploadMenu: some View {
        Menu {
            PhotosPicker(selection: $photo, matching: .any(of: [.images, .videos])) {
                Label("从相册上传", systemImage: "photo.on.rectangle")
            }
            Button {
                importingFile = true
            } label: {
                Label("从文件选择", systemImage: "folder")
            }
        } label: {
            Label("上传证据", systemImage: "plus")
        }
    }

    var body: some View {
        let state = model.state
        List {
            if case let .closed(reason) = state.submitting {
                Text(verbatim: reason).foregroundStyle(.secondary)
            }
            if !state.uploads.isEmpty {
                Section("我的上传") {
                    ForEach(state.uploads) { upload in
                        UploadRow(upload: upload, pause: { model.pause(upload.localId) }, resume: { model.resume(upload.localId) })
                    }
                }
            }
            ForEach(state.sides) { side in
                Section("\(side.sideLabel)证据") {
                    ForEach(side.rows) { row in
                        EvidenceRowView(row: row, opening: state.opening == row.id, openingPercent: state.openingPercent) { model.open(row.id) } opinion: { opinionFor = row }
                    }
                }
            }
            if state.sides.isEmpty {
                Text("暂无证据材料").foregroundStyle(.secondary)
            }
        }
        .refreshable { model.refresh() }
        .toolbar {
            ToolbarItem(placement: .topBarTrailing) {
                if state.submitting == .open { uploadMenu }
            }
        }
        .fileImporter(isPresented: $importingFile, allowedContentTypes: FileImport.documentTypes) { result in
            if case let .success(url) = result, let picked = try? FileImport.fromFiles(url) {
                model.picked(path: picked.path, fileName: picked.fileName)
            }
        }
        .onChange(of: photo) { _, item in
            guard let item else { return }
            Task {
                if let picked = try? await FileImport.fromPhotos(item) {
                    model.picked(path: picked.path, fileName: picked.fileName)
                }
                photo = nil
            }
        }
        .sheet(isPresented: Binding(get: { model.state.pending != nil }, set: { if !$0 { model.cancelPending() } })) {
            UploadForm(model: model)
        }
        .sheet(item: $opinionFor) { row in
            OpinionForm(title: row.evidence.title) { draft in
                model.giveOpinion(row.id, draft)
                opinionFor = nil
            }
        }
        .fullScreenCover(isPresented: Binding(get: { model.state.viewer != nil }, set: { if !$0 { model.closeViewer() } })) {
            if let viewer = model.state.viewer {
                EvidenceViewer(viewer: viewer, makeAnnotation: { annotation(viewer.evidenceId) }) { model.closeViewer() }
            }
        }
        .overlay(alignment: .top) {
            if let error = state.error { ErrorBanner(message: error, dismiss: model.dismissError) }
        }
    }
}

private struct EvidenceRowView: View {
    let row: EvidenceRow
    let opening: Bool
    let openingPercent: Int?
    let open: () -> Void
    let opinion: () -> Void

    var body: some View {
        let e = row.evidence
        VStack(alignment: .leading, spacing: 6) {
            HStack {
                if let badge = e.badge {
                    Text(badge).font(.caption.bold()).foregroundStyle(.white)
                        .padding(.horizontal, 5).background(Color.orange, in: RoundedRectangle(cornerRadius: 3))
                }
                Text(e.title).font(.headline)
                Spacer()
                if opening, let percent = openingPercent {
                    ProgressView(value: Double(percent), total: 100).frame(width: 60)
                    Text(verbatim: "\(percent)%").font(.caption.monospacedDigit())
                } else if opening {
                    ProgressView()
                }
            }
            Text("\(e.kindLabel) · \(e.submitterName)").font(.caption).foregroundStyle(.secondary)
            if let answers = e.answers { Text("针对：\(answers)").font(.caption) }
            if !e.purpose.isEmpty { Text("证明目的：\(e.purpose)").font(.footnote) }
            if e.withdrawn { Text("已撤回").font(.caption).foregroundStyle(.red) }
            ForEach(Array(e.opinions.enumerated()), id: \.offset) { _, o in
                Text("\(o.byRoleLabel) \(o.byName)：真实性\(o.authenticity.label)，合法性\(o.legality.label)，关联性\(o.relevance.label)")
                    .font(.caption).foregroundStyle(.secondary)
            }
            HStack {
                Button("查看", action: open).buttonStyle(.bordered)
                if row.canGiveOpinion { Button("质证", action: opinion).buttonStyle(.bordered) }
            }
        }
        .padding(.vertical, 4)
    }
}

private struct UploadRow: View {
    let upload: Upload
    let pause: () -> Void
    let resume: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            HStack {
                if upload.counter { Text("反").font(.caption.bold()).foregroundStyle(.orange) }
                Text(upload.title)
                Spacer()
                Text("\(upload.statusLabel) \(upload.percent)%").font(.caption).foregroundStyle(.secondary)
            }
            ProgressView(value: Double(upload.percent), total: 100)
            if let reason = upload.reason { Text(reason).font(.caption).foregroundStyle(.red) }
            if upload.status == .uploading { Button("暂停", action: pause).font(.caption) }
            if upload.status == .paused || upload.status == .failed { Button("继续上传", action: resume).font(.caption) }
        }
    }
}

/// 提交证据: 证据名称, 证明目的, 反证.
private struct UploadForm: View {
    let model: EvidenceViewModel
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        NavigationStack {
            Form {
                if let pending = model.state.pending {
                    Section {
                        LabeledContent("文件", value: pending.fileName)
                        TextField("证据名称", text: Binding(get: { pending.title }, set: { model.editPending(title: $0) }))
                        TextField("证明目的", text: Binding(get: { pending.purpose }, set: { model.editPending(purpose: $0) }), axis: .vertical)
                        Toggle("作为反证提交", isOn: Binding(get: { pending.counter }, set: { model.editPending(counter: $0) }))
                    }
                }
                if let error = model.state.error { Text(error).foregroundStyle(.red) }
            }
            .navigationTitle("提交证据")
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("取消") { model.cancelPending() } }
                ToolbarItem(placement: .confirmationAction) { Button("提交") { model.submitPending() } }
            }
        }
    }
}

/// 质证意见: 真实性, 合法性, 关联性 — 认可 or 有异议, with the reason.
private struct OpinionForm: View {
    let title: String
    let submit: (OpinionDraft) -> Void
    @State private var draft = OpinionDraft(authenticity: PositionDraft(accept: true), legality: PositionDraft(accept: true), relevance: PositionDraft(accept: true))
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        NavigationStack {
            Form {
                position("真实性", $draft.authenticity)
                position("合法性", $draft.legality)
                position("关联性", $draft.relevance)
            }
            .navigationTitle("质证：\(title)")
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("取消") { dismiss() } }
                ToolbarItem(placement: .confirmationAction) { Button("提交") { submit(draft) } }
            }
        }
    }

    private func position(_ name: LocalizedStringKey, _ value: Binding<PositionDraft>) -> some View {
        Section(name) {
            Picker(name, selection: value.accept) {
                Text("认可").tag(true)
                Text("有异议").tag(false)
            }
            .pickerStyle(.segmented)
            TextField("理由", text: value.reason, axis: .vertical)
        }
    }
}
