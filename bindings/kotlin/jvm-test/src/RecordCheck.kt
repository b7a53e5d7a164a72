// The court record through the bindings: the defendant follows the clerk's
// saves (笔录自动刷新), then signs the frozen version with drawn strokes and
// reads their own signature back (查看签名).

import court.cloudtrial.core.*
import kotlinx.coroutines.runBlocking
import java.io.ByteArrayInputStream
import java.security.MessageDigest
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import javax.imageio.ImageIO
import kotlin.math.sin

private class RecordRecorder : RecordListener {
    val views = LinkedBlockingQueue<RecordView>()
    val versions = LinkedBlockingQueue<RecordVersion>()
    val errors = LinkedBlockingQueue<ClientException>()
    override fun onView(view: RecordView) = views.put(view)
    override fun onVersion(version: RecordVersion) = versions.put(version)
    override fun onError(error: ClientException) = errors.put(error)

    fun nextView(what: String): RecordView =
        views.poll(10, TimeUnit.SECONDS) ?: throw AssertionError("no record view ($what); errors ${errors.toList()}")
    fun nextVersion(what: String): RecordVersion =
        versions.poll(10, TimeUnit.SECONDS) ?: throw AssertionError("no record version ($what); errors ${errors.toList()}")
}

private fun signatureStrokes(): List<List<StrokePoint>> = listOf(
    (0 until 40).map { StrokePoint(20f + it * 7f, 80f + sin(it / 3.0).toFloat() * 30f) },
    listOf(StrokePoint(60f, 40f), StrokePoint(90f, 140f)),
)

private fun sha256(bytes: ByteArray): String =
    MessageDigest.getInstance("SHA-256").digest(bytes).joinToString("") { "%02x".format(it) }

fun recordChecks(judge: HearingRoom, defendantClient: CloudTrialClient, defendant: HearingRoom, court: Court) {
    val hearingId = runBlocking { defendantClient.hearingDetails() }.hearingId
    val record = defendantClient.record()
    val seen = RecordRecorder()
    val handle = record.follow(defendant, seen)

    check("following the record delivers the current record first") {
        val view = seen.nextView("current")
        expect(view.latest == null && !view.mustSign) { "$view" }
    }

    check("each of the clerk's saves reaches the follower (笔录自动刷新)") {
        court.saveRecord(hearingId, null, listOf("审判长" to "现在开庭。"))
        val first = seen.nextVersion("version 1")
        expect(first.version == 1u && first.paragraphs.single().text == "现在开庭。") { "$first" }
        court.saveRecord(hearingId, 1, listOf("审判长" to "现在开庭。", "被告" to "借款属实，但已归还两万元。"))
        val second = seen.nextVersion("version 2")
        expect(second.version == 2u && second.paragraphs.last().speaker == "被告") { "$second" }
        expect(second.savedBy == "书记员 李书记") { second.savedBy }
    }

    check("after 闭庭 and 发起签名 the follower is asked to sign version 2") {
        runBlocking { judge.closeHearing() }
        court.startSigning(hearingId, 2)
        var view = seen.nextView("signing")
        while (!view.mustSign) view = seen.nextView("must sign")
        expect(view.signing?.version == 2u && view.signing?.open == true) { "${view.signing}" }
    }

    check("an altered text is refused with ClientException.InvalidInput before anything is sent") {
        val read = runBlocking { record.fetch() }.latest!!
        val altered = read.copy(paragraphs = read.paragraphs.map { it.copy(text = it.text + "。") })
        runBlocking {
            try {
                record.signWithStrokes(altered, signatureStrokes(), 300f, 160f)
                throw AssertionError("no exception")
            } catch (e: ClientException.InvalidInput) {
                expect(e.reason.contains("校验值")) { e.reason }
            }
        }
    }

    check("the defendant signs with drawn strokes and sees the signature (查看签名)") {
        val read = runBlocking { record.fetch() }.latest!!
        val signature = runBlocking { record.signWithStrokes(read, signatureStrokes(), 300f, 160f) }
        expect(signature.inApp && signature.version == 2u && signature.versionSha256 == read.sha256) { "$signature" }
        expect(signature.signer.roleLabel == "被告") { "${signature.signer}" }
        val mine = runBlocking { record.mySignature() } ?: throw AssertionError("no signature")
        expect(sha256(mine.png) == signature.imageSha256) { "image hash" }
        val image = ImageIO.read(ByteArrayInputStream(mine.png))
        expect(image.width > 100 && image.height > 50) { "${image.width}x${image.height}" }
        expect(!runBlocking { record.fetch() }.mustSign) { "still asked to sign" }
    }

    check("the signed record PDF downloads into the app's files, checked against its hash") {
        val path = runBlocking { record.signedPdf() }
        val bytes = java.io.File(path).readBytes()
        expect(String(bytes, 0, 5, Charsets.US_ASCII) == "%PDF-") { "not a PDF: $path" }
        expect(path.endsWith(sha256(bytes) + ".pdf")) { path }
    }

    handle.close()
    record.close()
}
