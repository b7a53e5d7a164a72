import SwiftUI

/// One message at a time, in the core's Chinese, at the top of the screen.
struct ErrorBanner: View {
    let message: String
    let dismiss: (() -> Void)?

    var body: some View {
        HStack(alignment: .top, spacing: 8) {
            Image(systemName: "exclamationmark.circle.fill")
            Text(message).frame(maxWidth: .infinity, alignment: .leading)
            if let dismiss {
                Button(action: dismiss) { Image(systemName: "xmark") }
                    .accessibilityLabel(Text("关闭"))
            }
        }
        .font(.subheadline)
        .foregroundStyle(.white)
        .padding(12)
        .background(Color.red.opacity(0.9), in: RoundedRectangle(cornerRadius: 10))
        .padding(.horizontal)
    }
}
