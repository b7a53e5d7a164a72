import CloudTrialFeatures
import SwiftUI

/// 会议号登录: the meeting number (filled in when opened from the SMS link),
/// the mobile number, 获取验证码, and the code — which the keyboard offers
/// from the SMS (one-time-code autofill) as soon as it arrives.
struct LoginScreen: View {
    @Bindable var model: LoginViewModel
    let loggedIn: (Session) -> Void
    @FocusState private var focus: Field?

    private enum Field { case meeting, mobile, code }

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    LabeledContent("会议号") {
                        TextField("请输入8位会议号", text: binding(\.meetingNumber, model.meetingNumberChanged))
                            .keyboardType(.numberPad)
                            .focused($focus, equals: .meeting)
                    }
                    if model.state.meetingNumberFromLink {
                        Text("已从短信链接填入会议号").font(.footnote).foregroundStyle(.secondary)
                    }
                    LabeledContent("手机号") {
                        TextField("请输入接收通知短信的手机号", text: binding(\.mobile, model.mobileChanged))
                            .keyboardType(.phonePad)
                            .textContentType(.telephoneNumber)
                            .focused($focus, equals: .mobile)
                    }
                    HStack {
                        TextField("请输入验证码", text: binding(\.code, model.codeChanged))
                            .keyboardType(.numberPad)
                            .textContentType(.oneTimeCode)
                            .focused($focus, equals: .code)
                        Button {
                            model.requestCode()
                            focus = .code
                        } label: {
                            if model.state.resendInSecs > 0 {
                                Text("\(model.state.resendInSecs)秒后重新获取")
                            } else {
                                Text("获取验证码")
                            }
                        }
                        .disabled(!model.state.canRequestCode)
                    }
                    if model.state.codeSent && model.state.error == nil {
                        Text("验证码已发送").font(.footnote).foregroundStyle(.secondary)
                    }
                }
                if let error = model.state.error {
                    Section { Text(error).foregroundStyle(.red) }
                }
                Section {
                    Button {
                        model.login()
                    } label: {
                        HStack {
                            Spacer()
                            if model.state.busy { ProgressView() } else { Text("登录").bold() }
                            Spacer()
                        }
                    }
                    .disabled(!model.state.canLogin)
                } footer: {
                    Text("使用短信中告知的会议号进行登录，登录后先进行设备检测，再进入视频庭审页面。请使用接收庭审通知短信的手机号登录。")
                }
            }
            .navigationTitle("会议号登录")
            .onAppear { focus = model.state.meetingNumber.isEmpty ? .meeting : .mobile }
            .onChange(of: model.state.session) { _, session in
                if let session { loggedIn(session) }
            }
        }
    }

    private func binding(_ keyPath: KeyPath<LoginState, String>, _ set: @escaping (String) -> Void) -> Binding<String> {
        Binding(get: { model.state[keyPath: keyPath] }, set: set)
    }
}
