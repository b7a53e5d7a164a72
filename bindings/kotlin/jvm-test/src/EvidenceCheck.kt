// Evidence through the bindings: a photo uploaded as counter-evidence, its
// progress reported to the end, and the judge seeing it listed with 反.

import court.cloudtrial.core.*
import kotlinx.coroutines.runBlocking
import java.awt.Color
import java.awt.image.BufferedImage
import java.io.File
import java.nio.file.Files
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import javax.imageio.ImageIO

private class UploadsRecorder : UploadsListener {
    val updates = LinkedBlockingQueue<List<UploadProgress>>()
    override fun onUpdate(uploads: List<UploadProgress>) {
        updates.put(uploads)
    }
}

private class EvidenceRecorder : EvidenceListener {
    val updates = LinkedBlockingQueue<List<EvidenceGroup>>()
    override fun onUpdate(groups: List<EvidenceGroup>) {
        updates.put(groups)
    }
}

/** A photo as the album would give it: a JPEG file. */
private fun photo(): File {
    val image = BufferedImage(1600, 1200, BufferedImage.TYPE_INT_RGB)
    val g = image.createGraphics()
    g.color = Color(30, 60, 200)
    g.fillRect(0, 0, 1600, 1200)
    g.color = Color.WHITE
    for (i in 0 until 60) g.drawLine(i * 27, 0, 1600 - i * 13, 1200)
    g.dispose()
    val file = Files.createTempFile("IMG_", ".JPG").toFile()
    ImageIO.write(image, "jpg", file)
    return file
}

/** Returns the id of the photo the defendant submitted. */
fun evidenceChecks(judgeClient: CloudTrialClient, defendantClient: CloudTrialClient, judgeRoom: HearingRoom): String {
    val judgeEvidence = judgeClient.evidence()
    judgeEvidence.follow(judgeRoom)
    val judgeSees = EvidenceRecorder()
    val judgeHandle = judgeEvidence.subscribeEvidence(judgeSees)
    val evidence = defendantClient.evidence()
    val progress = UploadsRecorder()
    val handle = evidence.subscribeUploads(progress)

    check("a photo is queued as counter-evidence and its progress reaches 100% (已提交)") {
        val file = photo()
        val details = EvidenceDetails("还款收据照片", "手机拍摄", "证明借款已经归还", true, null)
        runBlocking { evidence.uploadEvidence(file.path, details) }
        val seen = mutableListOf<Pair<Int, String>>()
        val deadline = System.currentTimeMillis() + 30_000
        while (true) {
            val left = deadline - System.currentTimeMillis()
            val update = progress.updates.poll(maxOf(left, 0), TimeUnit.MILLISECONDS)
                ?: throw AssertionError("no upload progress; saw $seen")
            val upload = update.firstOrNull() ?: continue
            seen.add(upload.percent.toInt() to upload.stateLabel)
            if (upload.state == UploadState.SUBMITTED) {
                expect(upload.percent.toInt() == 100 && upload.stateLabel == "已提交") { "$upload" }
                expect(upload.counter && upload.mediaType == "image/jpeg") { "$upload" }
                break
            }
            expect(upload.state != UploadState.FAILED) { "failed: ${upload.reason}" }
        }
    }

    check("the judge sees it under 被告 with the 反 badge") {
        val deadline = System.currentTimeMillis() + 15_000
        var groups: List<EvidenceGroup> = emptyList()
        while (groups.isEmpty() && System.currentTimeMillis() < deadline) {
            groups = judgeSees.updates.poll(1, TimeUnit.SECONDS) ?: groups
        }
        val item = groups.singleOrNull()?.items?.singleOrNull() ?: throw AssertionError("groups: $groups")
        expect(groups[0].sideLabel == "被告") { groups[0].sideLabel }
        expect(item.badge == "反" && item.counter) { "${item.badge}" }
        expect(item.title == "还款收据照片" && item.kindLabel == "图片") { "$item" }
        expect(item.submitterName == "李四") { item.submitterName }
    }

    check("the judge opens the preview; the original downloads byte for byte") {
        runBlocking {
            val item = judgeEvidence.groups().single().items.single()
            val preview = File(judgeEvidence.file(item.id, EvidenceFile.PREVIEW, null))
            val picture = ImageIO.read(preview)
            expect(picture.width == 1600 && picture.height == 1200) { "${picture.width}x${picture.height}" }
            val told = java.util.Collections.synchronizedList(mutableListOf<DownloadProgress>())
            val listener = object : DownloadListener {
                override fun onProgress(progress: DownloadProgress) {
                    told += progress
                }
            }
            val original = File(judgeEvidence.file(item.id, EvidenceFile.ORIGINAL, listener))
            expect(original.length() > 1000) { "${original.length()}" }
            val last = told.lastOrNull()
            expect(last != null && last.percent?.toInt() == 100 && last.bytesReceived == original.length().toULong()) { "$told" }
        }
    }

    val photoId = runBlocking { judgeEvidence.groups().single().items.single().id }
    handle.close()
    judgeHandle.close()
    evidence.close()
    judgeEvidence.close()
    return photoId
}
