package court.cloudtrial.app.ui.evidence

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.clickable
import androidx.compose.foundation.gestures.awaitEachGesture
import androidx.compose.foundation.gestures.awaitFirstDown
import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.StrokeCap
import androidx.compose.ui.graphics.StrokeJoin
import androidx.compose.ui.graphics.drawscope.DrawScope
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.TextMeasurer
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.drawText
import androidx.compose.ui.text.rememberTextMeasurer
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import court.cloudtrial.app.R
import court.cloudtrial.app.model.AnnotationTool
import court.cloudtrial.app.model.MarkColour
import court.cloudtrial.app.model.MarkShape
import court.cloudtrial.app.model.PagePoint
import court.cloudtrial.app.presenters.AnnotationState
import kotlin.math.atan2
import kotlin.math.cos
import kotlin.math.sin

/** What the annotation overlay and its toolbar can ask for; [court.cloudtrial.app.presenters.AnnotationPresenter] decides. */
interface AnnotationActions {
    fun request()
    fun chooseTool(tool: AnnotationTool)
    fun chooseColour(colour: MarkColour)
    fun stopDrawing()
    /** Positions are fractions (0..1) of the page's width and height. */
    fun pointerDown(page: Int, x: Float, y: Float)
    fun pointerMove(x: Float, y: Float)
    fun pointerUp()
    /** The touch was cancelled rather than lifted: the stroke is given up. */
    fun pointerCancel()
    fun placeText(text: String)
    fun cancelText()
    fun undo()
    fun dismissError()
}

/** The same four pens as the PC's. */
fun MarkColour.toColor(): Color = when (this) {
    MarkColour.RED -> Color(0xFFD91E18)
    MarkColour.BLUE -> Color(0xFF1F5FD6)
    MarkColour.GREEN -> Color(0xFF138A36)
    MarkColour.ORANGE -> Color(0xFFE87B00)
}

/**
 * Laid exactly over one page (an image is page 1): everyone's marks with
 * their authors' labels, others' strokes as they are drawn, this phone's own
 * stroke; in drawing mode the finger draws instead of panning.
 */
@Composable
fun AnnotationLayer(state: AnnotationState, actions: AnnotationActions, page: Int, modifier: Modifier = Modifier) {
    val measurer = rememberTextMeasurer()
    val input = if (state.drawing) {
        Modifier.pointerInput(page, state.tool) {
            awaitEachGesture {
                val down = awaitFirstDown()
                down.consume()
                actions.pointerDown(page, down.position.x / size.width, down.position.y / size.height)
                var lifted = false
                try {
                    while (true) {
                        val change = awaitPointerEvent().changes.firstOrNull { it.id == down.id } ?: break
                        // Compose reports a cancelled touch (ACTION_CANCEL: the system took the
                        // gesture) as a release already consumed; a finger lifted comes unconsumed.
                        if (!change.pressed && change.isConsumed) break
                        change.consume()
                        if (!change.pressed) {
                            lifted = true
                            break
                        }
                        actions.pointerMove(change.position.x / size.width, change.position.y / size.height)
                    }
                } finally {
                    // Also when this input goes away mid-stroke (drawing ended, the page left the screen).
                    if (lifted) actions.pointerUp() else actions.pointerCancel()
                }
            }
        }
    } else Modifier
    Canvas(modifier.fillMaxSize().then(input)) {
        for (mark in state.marksOn(page)) drawMark(mark.shape, mark.colour.toColor(), mark.authorLabel, measurer, alpha = 1f)
        for (preview in state.previewsOn(page)) drawMark(preview.shape, preview.colour.toColor(), preview.authorLabel, measurer, alpha = 0.6f)
        listOfNotNull(state.committing, state.stroke).filter { it.page == page }.forEach { drawMark(it.shape, it.colour.toColor(), null, measurer, alpha = 0.8f) }
    }
}

private fun DrawScope.drawMark(shape: MarkShape, color: Color, label: String?, measurer: TextMeasurer, alpha: Float) {
    fun at(p: PagePoint) = Offset(p.x * size.width, p.y * size.height)
    val stroke = Stroke(width = 3.dp.toPx(), cap = StrokeCap.Round, join = StrokeJoin.Round)
    val ink = color.copy(alpha = alpha)
    val first: PagePoint = when (shape) {
        is MarkShape.Ink -> {
            val points = shape.points.map(::at)
            if (points.size == 1) drawCircle(ink, stroke.width / 2, points[0])
            if (points.size > 1) drawPath(Path().apply { moveTo(points[0].x, points[0].y); points.drop(1).forEach { lineTo(it.x, it.y) } }, ink, style = stroke)
            shape.points.firstOrNull() ?: return
        }
        is MarkShape.Rectangle -> {
            val a = at(shape.from); val b = at(shape.to)
            drawRect(ink, Offset(minOf(a.x, b.x), minOf(a.y, b.y)), Size(kotlin.math.abs(b.x - a.x), kotlin.math.abs(b.y - a.y)), style = stroke)
            PagePoint(minOf(shape.from.x, shape.to.x), minOf(shape.from.y, shape.to.y))
        }
        is MarkShape.Ellipse -> {
            val a = at(shape.from); val b = at(shape.to)
            drawOval(ink, Offset(minOf(a.x, b.x), minOf(a.y, b.y)), Size(kotlin.math.abs(b.x - a.x), kotlin.math.abs(b.y - a.y)), style = stroke)
            PagePoint(minOf(shape.from.x, shape.to.x), minOf(shape.from.y, shape.to.y))
        }
        is MarkShape.Arrow -> {
            val a = at(shape.from); val b = at(shape.to)
            drawLine(ink, a, b, stroke.width, StrokeCap.Round)
            val angle = atan2(b.y - a.y, b.x - a.x)
            val head = 14.dp.toPx()
            for (side in listOf(-0.5f, 0.5f)) {
                drawLine(ink, b, Offset(b.x - head * cos(angle + side), b.y - head * sin(angle + side)), stroke.width, StrokeCap.Round)
            }
            shape.from
        }
        is MarkShape.Text -> {
            drawText(measurer, shape.text, at(shape.at), TextStyle(color = ink, fontSize = 18.sp))
            shape.at
        }
    }
    // "被告 李四" just above where the mark begins.
    if (label != null) {
        val p = at(first)
        drawText(measurer, label, Offset(p.x, (p.y - 16.dp.toPx()).coerceAtLeast(0f)), TextStyle(color = ink, fontSize = 11.sp, background = Color(0x99FFFFFF)))
    }
}

/** 申请圈注, then (once the judge approved) tools, colours and 撤销. */
@Composable
fun AnnotationToolbar(state: AnnotationState, actions: AnnotationActions, modifier: Modifier = Modifier) {
    if (!state.loaded) return
    Surface(color = Color(0xCC000000), modifier = modifier.fillMaxWidth()) {
        Column(Modifier.padding(8.dp)) {
            Row(
                Modifier.fillMaxWidth().horizontalScroll(rememberScrollState()),
                verticalAlignment = Alignment.CenterVertically,
                horizontalArrangement = Arrangement.spacedBy(8.dp),
            ) {
                when {
                    state.mayDraw -> {
                        FilterChip(selected = !state.drawingMode, onClick = actions::stopDrawing, label = { Text(stringResource(R.string.annotation_browse)) })
                        for (tool in AnnotationTool.entries) {
                            FilterChip(selected = state.drawingMode && state.tool == tool, onClick = { actions.chooseTool(tool) }, label = { Text(stringResource(tool.label())) })
                        }
                        for (colour in MarkColour.entries) {
                            val chosen = state.colour == colour
                            Box(
                                Modifier
                                    .size(28.dp)
                                    .background(colour.toColor(), CircleShape)
                                    .border(if (chosen) 3.dp else 1.dp, Color.White, CircleShape)
                                    .clickable { actions.chooseColour(colour) },
                            )
                        }
                        TextButton(onClick = actions::undo) { Text(stringResource(R.string.annotation_undo), color = Color.White) }
                    }
                    state.waiting -> Text(stringResource(R.string.annotation_pending), color = Color.White)
                    state.canRequest -> Button(onClick = actions::request) { Text(stringResource(R.string.annotation_request)) }
                }
            }
            state.error?.let {
                Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.clickable(onClick = actions::dismissError))
            }
        }
    }
    if (state.textAt != null) TextMarkDialog(actions)
}

@Composable
private fun TextMarkDialog(actions: AnnotationActions) {
    var text by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = actions::cancelText,
        title = { Text(stringResource(R.string.annotation_text_title)) },
        text = { OutlinedTextField(value = text, onValueChange = { text = it.take(60) }, singleLine = true) },
        confirmButton = { TextButton(onClick = { actions.placeText(text) }) { Text(stringResource(R.string.ok)) } },
        dismissButton = { TextButton(onClick = actions::cancelText) { Text(stringResource(R.string.cancel)) } },
    )
}

private fun AnnotationTool.label(): Int = when (this) {
    AnnotationTool.PEN -> R.string.annotation_tool_pen
    AnnotationTool.RECTANGLE -> R.string.annotation_tool_rectangle
    AnnotationTool.ELLIPSE -> R.string.annotation_tool_ellipse
    AnnotationTool.ARROW -> R.string.annotation_tool_arrow
    AnnotationTool.TEXT -> R.string.annotation_tool_text
}
