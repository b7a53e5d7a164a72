import CloudTrialFeatures
import QuickLook
import SwiftUI

/// 庭审笔录: the versions (newest first) and each one's text, 笔录自动刷新 on
/// by default, 刷新, 签名 with a finger once the clerk starts signing, and
/// 查看签名.
struct RecordScreen: View {
    let model: RecordViewModel

    var body: some View {
        let state = model.state
        List {
            Section {
                Toggle("笔录自动刷新", isOn: Binding(get: { model.state.autoRefresh }, set: model.setAutoRefresh))
                if state.mustSign {
                    Button {
                        model.openSigningPad()
                    } label: {
                        Label("签名", systemImage: "signature").bold()
                    }
                }
                if let signed = state.mySignatureInfo {
                    Button("查看签名", action: model.showMySignature)
                    Text("已签署第\(signed.version)版笔录").font(.footnote).foregroundStyle(.secondary)
                }
                if state.pdfOffered {
                    Group {
                        if state.allSigned {
                            Button("下载签名笔录", action: model.openSignedPdf)
                        } else {
                            Button("下载笔录（签名未完成）", action: model.openSignedPdf)
                        }
                    }
                    .disabled(state.openingPdf)
                }
            }
            if let round = state.signing {
                Section("签名情况") {
                    ForEach(Array(round.signers.enumerated()), id: \.offset) { _, signer in
                        HStack {
                            Text(signer.person.label)
                            Spacer()
                            Text(signer.signature == nil ? "未签名" : "已签名")
                                .foregroundStyle(signer.signature == nil ? Color.secondary : Color.green)
                        }
                    }
                }
            }
            Section("笔录") {
                if state.versions.isEmpty {
                    Text("书记员尚未保存笔录").foregroundStyle(.secondary)
                }
                ForEach(state.versions) { version in
                    NavigationLink(value: version.version) {
                        VStack(alignment: .leading) {
                            Text("第\(version.version)版").font(.headline)
                            Text(version.savedBy).font(.caption).foregroundStyle(.secondary)
                        }
                    }
                }
            }
        }
        .navigationDestination(for: Int.self) { version in
            if let document = model.state.versions.first(where: { $0.version == version }) {
                RecordDetail(document: document)
            }
        }
        .refreshable { model.refresh() }
        .toolbar {
            ToolbarItem(placement: .topBarTrailing) { Button("刷新", action: model.refresh) }
        }
        .quickLookPreview(Binding(get: { model.state.pdf.map { URL(fileURLWithPath: $0) } },
                                  set: { if $0 == nil { model.closePdf() } }))
        .sheet(isPresented: Binding(get: { model.state.signingPad }, set: { if !$0 { model.closeSigningPad() } })) {
            SigningSheet(model: model)
        }
        .sheet(isPresented: Binding(get: { model.state.mySignature != nil }, set: { if !$0 { model.hideMySignature() } })) {
            if let signature = model.state.mySignature, let image = UIImage(data: signature.png) {
                VStack(spacing: 16) {
                    Text("我的签名").font(.headline)
                    Image(uiImage: image).resizable().scaledToFit().background(Color.white).border(.gray)
                    Text("第\(signature.info.version)版笔录").font(.footnote).foregroundStyle(.secondary)
                }
                .padding()
                .presentationDetents([.medium])
            }
        }
        .overlay(alignment: .top) {
            if let error = state.error { ErrorBanner(message: error, dismiss: model.dismissError) }
        }
    }
}

/// 笔录详情: the header and each speaker's words.
private struct RecordDetail: View {
    let document: RecordDocument

    var body: some View {
        List {
            Section {
                RecordHeaderRows(header: document.header)
            }
            Section {
                ForEach(Array(document.paragraphs.enumerated()), id: \.offset) { _, paragraph in
                    Text("\(paragraph.speaker)：\(paragraph.text)")
                }
            }
        }
        .navigationTitle("第\(document.version)版")
    }
}

/// The record's header, every field in the order the court prints it.
private struct RecordHeaderRows: View {
    let header: RecordHeader

    var body: some View {
        LabeledContent("案号", value: header.caseNumber)
        LabeledContent("案由", value: header.caseTitle)
        LabeledContent("时间", value: header.time)
        LabeledContent("地点", value: header.place)
        LabeledContent("审判人员", value: header.judges.joined(separator: "、"))
        LabeledContent("书记员", value: header.clerk)
        LabeledContent("到庭人员", value: header.present.joined(separator: "、"))
    }
}

/// The version to sign, in full (a party signs what they have read), and the pad.
private struct SigningSheet: View {
    let model: RecordViewModel

    var body: some View {
        NavigationStack {
            VStack(spacing: 12) {
                if let round = model.state.signing, let read = model.state.versions.first(where: { $0.version == round.version }) {
                    ScrollView {
                        VStack(alignment: .leading, spacing: 6) {
                            Text("第\(read.version)版").font(.headline)
                            RecordHeaderRows(header: read.header).font(.footnote)
                            Divider()
                            ForEach(Array(read.paragraphs.enumerated()), id: \.offset) { _, p in Text("\(p.speaker)：\(p.text)") }
                        }
                        .frame(maxWidth: .infinity, alignment: .leading)
                    }
                    .frame(maxHeight: 260)
                }
                Text("请在下方签名").font(.footnote).foregroundStyle(.secondary)
                SignaturePad(strokes: model.state.strokes, started: model.strokeStarted, moved: model.strokeMoved) { size in
                    model.submitSignature(width: Float(size.width), height: Float(size.height))
                }
                if let error = model.state.error { Text(error).foregroundStyle(.red) }
            }
            .padding()
            .navigationTitle("签名")
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("取消", action: model.closeSigningPad) }
                ToolbarItem(placement: .destructiveAction) { Button("重写", action: model.clearStrokes) }
            }
        }
        .interactiveDismissDisabled(model.state.submitting)
    }
}
