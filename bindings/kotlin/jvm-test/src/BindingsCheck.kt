// Drives the generated Kotlin bindings (the same code the Android app uses)
// on the JVM against a real server: logs in as a party, reads the hearing,
// and checks errors and listener callbacks cross the boundary intact.
//
// Usage: BindingsCheck <server base URL> <meeting number> [speech recording (16 kHz WAV)]
// The server is a --demo server: clerk/demo1234, plaintiff 张三 13800000001.

import court.cloudtrial.core.*
import kotlinx.coroutines.runBlocking
import java.nio.file.Files
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess

private class RecordingListener : SessionStateListener {
    val states = LinkedBlockingQueue<Pair<SessionState, String>>()
    override fun onUpdate(state: SessionState) {
        states.put(state to Thread.currentThread().name)
    }
    fun next(): Pair<SessionState, String> =
        states.poll(10, TimeUnit.SECONDS) ?: throw AssertionError("no session state within 10 s")
}

fun main(args: Array<String>) = runBlocking {
    val (baseUrl, meetingNumber) = args
    val plaintiffMobile = "13800000001"
    val court = Court(baseUrl, "clerk", "demo1234")
    val dataDir = Files.createTempDirectory("cloudtrial-kotlin").toString()
    println("Kotlin bindings against $baseUrl, meeting $meetingNumber")

    val client = CloudTrialClient(baseUrl, dataDir)
    val listener = RecordingListener()
    val subscription = client.subscribeSession(listener)

    check("the session listener gets the current state first, from a Rust thread") {
        val (state, thread) = listener.next()
        expect(state is SessionState.LoggedOut) { "first state $state" }
        expect(thread != Thread.currentThread().name) { "called on $thread" }
    }

    check("a malformed meeting number is a typed InvalidInput error") {
        runBlocking {
            try {
                client.requestLoginCode("1234", plaintiffMobile)
                throw AssertionError("no exception")
            } catch (e: ClientException.InvalidInput) {
                expect(e.reason == "会议号应为8位数字") { e.reason }
            }
        }
    }

    check("requesting a code answers with the resend and expiry times") {
        runBlocking {
            val sent = client.requestLoginCode(meetingNumber, plaintiffMobile)
            expect(sent.resendAfterSecs == 60u && sent.expiresInSecs == 300u) { "$sent" }
        }
    }
    val code = court.latestCode(plaintiffMobile)

    check("a wrong code surfaces as ClientException.InvalidCode with the server's message") {
        runBlocking {
            val wrong = ((code.toInt() + 1) % 1_000_000).toString().padStart(6, '0')
            try {
                client.login(meetingNumber, plaintiffMobile, wrong, DeviceKind.ANDROID)
                throw AssertionError("no exception")
            } catch (e: ClientException.InvalidCode) {
                expect(e.reason.contains("验证码")) { e.reason }
            }
        }
    }

    check("the right code logs in as 原告") {
        runBlocking {
            val session = client.login(meetingNumber, plaintiffMobile, code, DeviceKind.ANDROID)
            expect(session.role == ParticipantRole.PLAINTIFF) { "role ${session.role}" }
            expect(session.meetingNumber == meetingNumber) { session.meetingNumber }
            expect(roleLabel(session.role) == "原告") { roleLabel(session.role) }
        }
    }

    check("the listener hears about the login") {
        val (state, _) = listener.next()
        expect(state is SessionState.LoggedIn && state.session.role == ParticipantRole.PLAINTIFF) { "$state" }
    }

    check("hearing details: case, schedule, courtroom, everyone's role and name") {
        runBlocking {
            val details = client.hearingDetails()
            expect(details.caseNumber == "（2026）津0101民初1号") { details.caseNumber }
            expect(details.courtroom == "第一法庭") { details.courtroom }
            expect(details.statusLabel == "未开庭") { details.statusLabel }
            expect(details.me.name == "张三" && details.me.roleLabel == "原告") { "${details.me}" }
            val roles = details.participants.map { "${it.roleLabel} ${it.name}" }
            expect(roles == listOf("审判长 王法官", "书记员 李书记", "原告 张三", "被告 李四")) { "$roles" }
        }
    }

    check("a new client on the same directory is still logged in") {
        CloudTrialClient(baseUrl, dataDir).use { again ->
            val state = again.sessionState()
            expect(state is SessionState.LoggedIn && state.session.role == ParticipantRole.PLAINTIFF) { "$state" }
        }
    }

    check("logout is heard by the listener, and a cancelled subscription stops") {
        runBlocking { client.logout() }
        val (state, _) = listener.next()
        expect(state is SessionState.LoggedOut) { "$state" }
        subscription.cancel()
        expect(client.sessionState() is SessionState.LoggedOut) { "still logged in" }
    }

    check("calls after logout fail with NotLoggedIn") {
        runBlocking {
            try {
                client.hearingDetails()
                throw AssertionError("no exception")
            } catch (e: ClientException.NotLoggedIn) {
                expect(e.reason == "请先登录") { e.reason }
            }
        }
    }

    subscription.close()
    client.close()

    roomChecks(baseUrl, meetingNumber, court, args.getOrNull(2))

    if (failures > 0) {
        println("$failures Kotlin check(s) failed")
        exitProcess(1)
    }
    println("all Kotlin checks passed")
}
