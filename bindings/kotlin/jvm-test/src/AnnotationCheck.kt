// 圈注 through the bindings: the defendant asks, the judge approves, the
// defendant's stroke reaches the judge while it is drawn and once committed,
// and the judge's own mark reaches the defendant.

import court.cloudtrial.core.*
import kotlinx.coroutines.runBlocking
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

private class MarksRecorder : EvidenceMarksListener {
    private val updates = LinkedBlockingQueue<EvidenceMarks>()
    override fun onUpdate(marks: EvidenceMarks) {
        updates.put(marks)
    }

    fun await(what: String, predicate: (EvidenceMarks) -> Boolean): EvidenceMarks {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (true) {
            val left = deadline - System.nanoTime()
            val marks = updates.poll(maxOf(left, 0), TimeUnit.NANOSECONDS)
                ?: throw AssertionError("timed out waiting for: $what")
            if (predicate(marks)) return marks
        }
    }
}

fun annotationChecks(judge: HearingRoom, defendant: HearingRoom, defendantId: Long, evidenceId: String) {
    val mine = defendant.annotation(evidenceId)
    val theirs = judge.annotation(evidenceId)
    val defendantSees = MarksRecorder()
    val judgeSees = MarksRecorder()
    val handles = listOf(mine.subscribe(defendantSees), theirs.subscribe(judgeSees))
    val stroke = MarkShape.Ink(listOf(MarkPoint(0.2f, 0.3f), MarkPoint(0.25f, 0.32f), MarkPoint(0.3f, 0.36f)))

    check("without the judge's approval a party's mark is refused (申请圈注 first)") {
        defendantSees.await("the current marks") { it.annotating == Annotating.NO && !it.mayDraw }
        runBlocking {
            try {
                mine.draw(1u, MarkColour.RED, stroke)
                throw AssertionError("no exception")
            } catch (e: ClientException.Forbidden) {
                expect(e.reason.contains("申请圈注")) { e.reason }
            }
        }
    }

    check("申请圈注, the judge approves, and the party may draw") {
        runBlocking { mine.request() }
        defendantSees.await("requested") { it.annotating == Annotating.REQUESTED }
        runBlocking { judge.allowAnnotation(defendantId) }
        defendantSees.await("allowed") { it.mayDraw && it.annotating == Annotating.ALLOWED }
    }

    check("the judge sees the stroke while it is drawn, then the mark, labelled 被告 李四") {
        mine.preview(1u, MarkColour.RED, stroke)
        val drawing = judgeSees.await("a preview") { it.previews.isNotEmpty() }.previews.single()
        expect(drawing.id == null && drawing.authorLabel == "被告 李四") { "$drawing" }
        val id = runBlocking { mine.draw(1u, MarkColour.RED, stroke) }
        val seen = judgeSees.await("the mark") { s -> s.marks.any { it.id == id } && s.previews.isEmpty() }
        val mark = seen.marks.single { it.id == id }
        expect(mark.shape == stroke && mark.colour == MarkColour.RED && mark.authorId == defendantId) { "$mark" }
    }

    check("the judge's own mark (no request needed) reaches the defendant") {
        val arrow = MarkShape.Arrow(MarkPoint(0.8f, 0.8f), MarkPoint(0.6f, 0.5f))
        val id = runBlocking { theirs.draw(1u, MarkColour.BLUE, arrow) }
        val seen = defendantSees.await("the judge's mark") { s -> s.marks.any { it.id == id } }
        val mark = seen.marks.single { it.id == id }
        expect(mark.shape == arrow && mark.authorLabel.startsWith("审判长")) { "$mark" }
    }

    check("撤销 takes away only the defendant's own mark") {
        val undone = runBlocking { mine.undo() }
        val seen = judgeSees.await("the undo") { s -> s.marks.none { it.id == undone } }
        expect(seen.marks.size == 1 && seen.marks.single().authorId != defendantId) { "${seen.marks}" }
        expect(runBlocking { mine.undo() } == null) { "nothing of the defendant's is left" }
    }

    check("the judge withdraws the permission (收回圈注)") {
        runBlocking { judge.withdrawAnnotation(defendantId) }
        defendantSees.await("withdrawn") { !it.mayDraw && it.annotating == Annotating.NO }
    }

    handles.forEach { it.close() }
    mine.close()
    theirs.close()
}
