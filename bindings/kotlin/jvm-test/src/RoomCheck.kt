// The hearing room through the bindings: listener callbacks arrive from Rust
// threads, the judge blocks and summons the defendant, a party is refused.

import court.cloudtrial.core.*
import kotlinx.coroutines.runBlocking
import java.nio.file.Files
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

class RoomRecorder : RoomStateListener {
    private val states = LinkedBlockingQueue<RoomState>()
    val threads = mutableSetOf<String>()

    override fun onUpdate(state: RoomState) {
        synchronized(threads) { threads.add(Thread.currentThread().name) }
        states.put(state)
    }

    /** Waits up to [seconds] for a state satisfying [predicate]. */
    fun await(what: String, seconds: Long = 10, predicate: (RoomState) -> Boolean): RoomState {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
        while (true) {
            val left = deadline - System.nanoTime()
            val state = states.poll(maxOf(left, 0), TimeUnit.NANOSECONDS)
                ?: throw AssertionError("timed out waiting for: $what")
            if (predicate(state)) return state
        }
    }
}

private fun loggedIn(baseUrl: String, meetingNumber: String, mobile: String, court: Court): CloudTrialClient {
    val client = CloudTrialClient(baseUrl, Files.createTempDirectory("cloudtrial-room").toString())
    runBlocking {
        client.requestLoginCode(meetingNumber, mobile)
        client.login(meetingNumber, mobile, court.latestCode(mobile), DeviceKind.ANDROID)
    }
    return client
}

fun roomChecks(baseUrl: String, meetingNumber: String, court: Court, speech: String?) {
    println("Hearing room through the bindings")
    val judgeClient = loggedIn(baseUrl, meetingNumber, "13900000001", court)
    val defendantClient = loggedIn(baseUrl, meetingNumber, "13800000002", court)
    val judge = judgeClient.joinHearing(DeviceKind.ANDROID)
    val defendant = defendantClient.joinHearing(DeviceKind.IPHONE)
    val judgeSeen = RoomRecorder()
    val defendantSeen = RoomRecorder()
    val judgeHandle = judge.subscribe(judgeSeen)
    val defendantHandle = defendant.subscribe(defendantSeen)
    var defendantId = 0L

    check("both are in the room; the panel says 语音识别暂未开始") {
        val state = defendantSeen.await("two online") { s -> s.participants.count { it.online } == 2 }
        expect(state.recognitionMessage == "语音识别暂未开始") { "${state.recognitionMessage}" }
        expect(state.connectionLabel == "已连接") { state.connectionLabel }
        defendantId = state.me!!.id
        expect(state.me!!.roleLabel == "被告") { "${state.me}" }
        // The judge's app acts once its own room is connected (its buttons are enabled then):
        // the defendant may see the judge online a moment before the judge's app knows.
        judgeSeen.await("the judge's room connected") { it.connection is ConnectionState.Connected && it.me != null }
    }

    check("listener callbacks come from the core's threads") {
        expect(defendantSeen.threads.none { it == Thread.currentThread().name }) { "${defendantSeen.threads}" }
    }

    check("the judge starts the hearing and everyone sees 庭审中") {
        runBlocking { judge.startHearing() }
        val state = defendantSeen.await("in session") { it.hearingStatus == HearingStatus.IN_SESSION }
        expect(state.hearingStatusLabel == "庭审中") { "${state.hearingStatusLabel}" }
        expect(state.recognitionMessage != "语音识别暂未开始") { "${state.recognitionMessage}" }
    }

    check("a party's judge command is refused with ClientException.Forbidden") {
        runBlocking {
            try {
                defendant.adjourn()
                throw AssertionError("no exception")
            } catch (e: ClientException.Forbidden) {
                expect(e.reason == "只有审判长或审判员可以进行此操作") { e.reason }
            }
        }
    }

    check("blocked: the defendant sees 您已被屏蔽，请等待法官传唤 and nothing else") {
        runBlocking { judge.block(defendantId) }
        val state = defendantSeen.await("blocked") { it.blockedMessage != null }
        expect(state.blockedMessage == "您已被屏蔽，请等待法官传唤") { "${state.blockedMessage}" }
        expect(state.participants.size == 1) { "${state.participants}" }
        judgeSeen.await("judge sees the block") { s -> s.participants.any { it.id == defendantId && it.blocked } }
    }

    check("summoned: the defendant is back in the hearing") {
        runBlocking { judge.summon(defendantId) }
        val state = defendantSeen.await("summoned") { it.blockedMessage == null && it.participants.size == 4 }
        expect(!state.me!!.blocked) { "${state.me}" }
    }

    check("after a network change the room reconnects to the same identity") {
        defendant.networkChanged()
        defendantSeen.await("reconnecting") { it.connection is ConnectionState.Reconnecting }
        val state = defendantSeen.await("connected again") { it.connection is ConnectionState.Connected && it.me?.online == true }
        expect(state.participants.count { it.id == defendantId } == 1) { "${state.participants}" }
    }

    println("Media through the bindings")
    mediaChecks(judge, defendant)
    if (speech != null) {
        println("Speech recognition through the bindings")
        speechChecks(defendant, judgeSeen, speech)
    }
    println("Evidence through the bindings")
    val evidenceId = evidenceChecks(judgeClient, defendantClient, judge)
    println("圈注 through the bindings")
    annotationChecks(judge, defendant, defendantId, evidenceId)
    println("The court record through the bindings")
    recordChecks(judge, defendantClient, defendant, court)

    judgeHandle.close()
    defendantHandle.close()
    judge.leave()
    defendant.leave()
    judge.close()
    defendant.close()
    judgeClient.close()
    defendantClient.close()
}
