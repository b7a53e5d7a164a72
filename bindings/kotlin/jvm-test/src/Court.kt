// The court's side of the test, over plain HTTP: a clerk logs in and reads
// the SMS outbox, as a participant would read the code off their phone.

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

class Court(private val baseUrl: String, username: String, password: String) {
    private val http = HttpClient.newHttpClient()
    private val token: String

    init {
        val body = post("/api/staff/login", """{"username":"$username","password":"$password"}""")
        token = Regex("\"token\":\"([^\"]+)\"").find(body)?.groupValues?.get(1)
            ?: error("staff login failed: $body")
    }

    private fun post(path: String, json: String): String = send("POST", path, json, null).body()

    private fun send(method: String, path: String, json: String, token: String?): HttpResponse<String> {
        val builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("content-type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(json))
        if (token != null) builder.header("authorization", "Bearer $token")
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString())
    }

    private fun quoted(s: String) = "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""

    private fun expectOk(response: HttpResponse<String>) {
        if (response.statusCode() != 200) error("HTTP ${response.statusCode()}: ${response.body()}")
    }

    /** The clerk saves the record (笔录) as a new version on top of [base]. */
    fun saveRecord(hearingId: Long, base: Int?, paragraphs: List<Pair<String, String>>) {
        val body = paragraphs.joinToString(",") { (speaker, text) -> "{\"speaker\":${quoted(speaker)},\"text\":${quoted(text)}}" }
        val header = """{"case_number":"（2026）津0101民初1号","case_title":"张三诉李四民间借贷纠纷","time":"","place":"第一法庭","judges":["审判长 王法官"],"clerk":"李书记","present":["原告 张三","被告 李四"]}"""
        val json = """{"base_version":${base ?: "null"},"content":{"header":$header,"paragraphs":[$body]}}"""
        expectOk(send("PUT", "/api/hearings/$hearingId/record", json, token))
    }

    /** 发起签名 on [version]. */
    fun startSigning(hearingId: Long, version: Int) {
        expectOk(send("POST", "/api/hearings/$hearingId/record/signing", """{"version":$version}""", token))
    }

    /** The six-digit code in the newest login SMS to [mobile]. */
    fun latestCode(mobile: String): String {
        val request = HttpRequest.newBuilder(URI.create("$baseUrl/api/sms?mobile=$mobile"))
            .header("authorization", "Bearer $token")
            .build()
        val outbox = http.send(request, HttpResponse.BodyHandlers.ofString()).body()
        return Regex("验证码为：(\\d{6})").find(outbox)?.groupValues?.get(1)
            ?: error("no login code in the outbox for $mobile")
    }
}
