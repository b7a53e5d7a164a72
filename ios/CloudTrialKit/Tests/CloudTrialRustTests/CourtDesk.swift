import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The court's side over plain HTTP, as the PC console does it: the clerk
/// reads the SMS outbox (the texts a party's phone would receive), saves the
/// record and starts signing.
final class CourtDesk: @unchecked Sendable {
    private let baseUrl: String
    private var token = ""

    init(baseUrl: String) {
        self.baseUrl = baseUrl
    }

    func logIn() async throws {
        let answer = try await send("POST", "/api/staff/login", ["username": "clerk", "password": "demo1234"])
        guard let token = answer["token"] as? String else { throw DeskError("staff login failed: \(answer)") }
        self.token = token
    }

    struct DeskError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @discardableResult
    private func send(_ method: String, _ path: String, _ body: Any? = nil) async throws -> [String: Any] {
        let data = try await sendRaw(method, path, body)
        if data.isEmpty { return [:] }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? ["list": (try? JSONSerialization.jsonObject(with: data)) as Any]
    }

    private func sendRaw(_ method: String, _ path: String, _ body: Any?) async throws -> Data {
        var request = URLRequest(url: URL(string: baseUrl + path)!)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        if !token.isEmpty { request.setValue("Bearer \(token)", forHTTPHeaderField: "authorization") }
        if let body { request.httpBody = try JSONSerialization.data(withJSONObject: body) }
        let (data, status): (Data, Int) = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else {
                    continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }.resume()
        }
        guard status == 200 else { throw DeskError("\(method) \(path): HTTP \(status) \(String(decoding: data, as: UTF8.self))") }
        return data
    }

    /// Every text sent to `mobile`, newest first as the outbox lists them.
    func texts(_ mobile: String) async throws -> [String] {
        let list = try await send("GET", "/api/sms?mobile=\(mobile)")["list"] as? [[String: Any]] ?? []
        return list.compactMap { $0["text"] as? String }
    }

    /// The hearing notice's link, as the party taps it in the SMS (请提前访问{link}下载庭审客户端):
    /// from "http" to the meeting number's eighth digit.
    func noticeLink(_ mobile: String) async throws -> String {
        for text in try await texts(mobile) {
            guard let path = text.range(of: "/ots/download/"),
                  let start = text[..<path.lowerBound].range(of: "http", options: .backwards) else { continue }
            let digits = text[path.upperBound...].prefix(while: { $0.isASCII && $0.isNumber })
            guard digits.count == 8 else { continue }
            return String(text[start.lowerBound..<path.upperBound]) + digits
        }
        throw DeskError("no hearing notice for \(mobile)")
    }

    /// The newest login SMS to `mobile`, whole.
    func newestLoginSms(_ mobile: String) async throws -> String {
        guard let sms = try await texts(mobile).first(where: { $0.contains("验证码") }) else { throw DeskError("no login SMS for \(mobile)") }
        return sms
    }

    /// The clerk saves the 笔录 as a new version on top of `base`.
    func saveRecord(hearingId: Int64, base: Int?, paragraphs: [(String, String)]) async throws {
        let header: [String: Any] = [
            "case_number": "（2026）津0101民初1号", "case_title": "张三诉李四民间借贷纠纷", "time": "", "place": "第一法庭",
            "judges": ["审判长 王法官"], "clerk": "李书记", "present": ["原告 张三", "被告 李四"],
        ]
        let body: [String: Any] = [
            "base_version": base.map { $0 as Any } ?? NSNull(),
            "content": ["header": header, "paragraphs": paragraphs.map { ["speaker": $0.0, "text": $0.1] }],
        ]
        try await send("PUT", "/api/hearings/\(hearingId)/record", body)
    }

    /// 发起签名 on `version`.
    func startSigning(hearingId: Int64, version: Int) async throws {
        try await send("POST", "/api/hearings/\(hearingId)/record/signing", ["version": version])
    }
}
