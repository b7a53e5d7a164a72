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

    private fun post(path: String, json: String): String {
        val request = HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build()
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body()
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
