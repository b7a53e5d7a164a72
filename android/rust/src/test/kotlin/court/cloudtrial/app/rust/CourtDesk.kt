package court.cloudtrial.app.rust

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

/**
 * The court's side over plain HTTP, as the PC console does it: the clerk
 * reads the SMS outbox (the texts a party's phone would receive), saves the
 * record and starts signing.
 */
class CourtDesk(private val baseUrl: String) {
    private val http = HttpClient.newHttpClient()
    private val token: String

    init {
        val body = send("POST", "/api/staff/login", """{"username":"clerk","password":"demo1234"}""", null).body()
        token = Regex("\"token\":\"([^\"]+)\"").find(body)?.groupValues?.get(1) ?: error("staff login failed: $body")
    }

    private fun send(method: String, path: String, json: String?, token: String?): HttpResponse<String> {
        val builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).header("content-type", "application/json")
        builder.method(method, if (json == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(json))
        if (token != null) builder.header("authorization", "Bearer $token")
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString())
    }

    private fun ok(response: HttpResponse<String>) = check(response.statusCode() == 200) { "HTTP ${response.statusCode()}: ${response.body()}" }

    private fun unescape(s: String) = s.replace("\\\"", "\"").replace("\\\\", "\\")

    /** Every text sent to [mobile], newest first as the outbox lists them. */
    fun texts(mobile: String): List<String> {
        val response = send("GET", "/api/sms?mobile=$mobile", null, token)
        ok(response)
        return Regex("\"text\":\"((?:[^\"\\\\]|\\\\.)*)\"").findAll(response.body()).map { unescape(it.groupValues[1]) }.toList()
    }

    /** The hearing notice's link (请提前访问…下载庭审客户端), as the party taps it in the SMS. */
    fun noticeLink(mobile: String): String = texts(mobile).firstNotNullOfOrNull {
        Regex("""(https?://\S+?/ots/download/\d{8})""").find(it)?.groupValues?.get(1)
    } ?: error("no hearing notice for $mobile")

    /** The newest login SMS to [mobile] (the outbox lists newest first), whole, as the SMS User Consent API hands it to the app. */
    fun newestLoginSms(mobile: String): String = texts(mobile).firstOrNull { it.contains("验证码") } ?: error("no login SMS for $mobile")

    private fun quoted(s: String) = "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""

    /** The clerk saves the 笔录 as a new version on top of [base]. */
    fun saveRecord(hearingId: Long, base: Int?, paragraphs: List<Pair<String, String>>) {
        val body = paragraphs.joinToString(",") { (speaker, text) -> "{\"speaker\":${quoted(speaker)},\"text\":${quoted(text)}}" }
        val header = """{"case_number":"（2026）津0101民初1号","case_title":"张三诉李四民间借贷纠纷","time":"","place":"第一法庭","judges":["审判长 王法官"],"clerk":"李书记","present":["原告 张三","被告 李四"]}"""
        ok(send("PUT", "/api/hearings/$hearingId/record", """{"base_version":${base ?: "null"},"content":{"header":$header,"paragraphs":[$body]}}""", token))
    }

    /** 发起签名 on [version]. */
    fun startSigning(hearingId: Long, version: Int) =
        ok(send("POST", "/api/hearings/$hearingId/record/signing", """{"version":$version}""", token))
}
