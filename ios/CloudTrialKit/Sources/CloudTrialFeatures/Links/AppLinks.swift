import Foundation

/// The SMS link (`https://court/ots/download/{会议号}`) and what the app takes from it.
public enum AppLinks {
    /// The meeting number of a landing link (Universal Link or typed), or nil for any other link.
    public static func meetingNumber(_ url: String) -> String? {
        let trimmed = url.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let schemeEnd = trimmed.range(of: "://") else { return nil }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else { return nil }
        let afterScheme = trimmed[schemeEnd.upperBound...]
        guard let pathStart = afterScheme.firstIndex(of: "/") else { return nil }
        let host = afterScheme[..<pathStart]
        guard !host.isEmpty, !host.contains("?"), !host.contains("#") else { return nil }
        var path = afterScheme[pathStart...]
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[0] == "ots", parts[1] == "download" else { return nil }
        let number = parts[2]
        guard number.count == 8, number.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if path.hasSuffix("//") { return nil }
        return String(number)
    }
}

/// The six-digit code in a login SMS (验证码为：123456). On the iPhone the
/// system's one-time-code field fills it in; this reads it from a whole message.
public enum LoginCodes {
    public static func fromSms(_ message: String) -> String? {
        let scalars = Array(message)
        // 验证码 followed by 为/是/:/：/spaces and six digits.
        if let label = message.range(of: "验证码") {
            var i = message.distance(from: message.startIndex, to: label.upperBound)
            while i < scalars.count, "为是:： ".contains(scalars[i]) { i += 1 }
            let digits = scalars[i...].prefix(while: { $0.isASCII && $0.isNumber })
            if digits.count == 6 { return String(digits) }
        }
        // Otherwise the only run of exactly six digits.
        var runs: [String] = []
        var current = ""
        for ch in scalars + [" "] {
            if ch.isASCII && ch.isNumber {
                current.append(ch)
            } else {
                if current.count == 6 { runs.append(current) }
                current = ""
            }
        }
        return runs.count == 1 ? runs[0] : nil
    }
}
