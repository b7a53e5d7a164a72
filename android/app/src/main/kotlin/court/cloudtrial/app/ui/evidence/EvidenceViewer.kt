package court.cloudtrial.app.ui.evidence

import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.pdf.PdfRenderer
import android.os.ParcelFileDescriptor
import androidx.compose.foundation.Canvas
import androidx.compose.foundation.Image
import androidx.compose.foundation.background
import androidx.compose.foundation.gestures.detectDragGestures
import androidx.compose.foundation.gestures.detectTransformGestures
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.Undo
import androidx.compose.material.icons.filled.Close
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableFloatStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.graphics.graphicsLayer
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import court.cloudtrial.app.R
import court.cloudtrial.app.model.AnnotationPermission
import court.cloudtrial.app.presenters.AnnotationState
import court.cloudtrial.app.presenters.Viewer
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.io.File

interface AnnotationActions {
    fun request()
    fun strokeStarted(x: Float, y: Float)
    fun strokeMoved(x: Float, y: Float)
    fun strokeEnded()
    fun undo()
    fun setPage(page: Int)
}

/** Evidence full screen: pictures and PDF pages with pinch zoom; 申请圈注 and marks when the court allows. */
@Composable
fun EvidenceViewer(
    viewer: Viewer,
    annotation: AnnotationState,
    annotationActions: AnnotationActions,
    onOpenExternally: (Viewer.External) -> Unit,
    onClose: () -> Unit,
) {
    Box(Modifier.fillMaxSize().background(Color.Black)) {
        when (viewer) {
            is Viewer.Image -> ZoomableImage(viewer.path, annotation, annotationActions)
            is Viewer.Pdf -> PdfPages(viewer.path)
            is Viewer.External -> Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) {
                Button(onClick = { onOpenExternally(viewer) }) { Text(stringResource(R.string.evidence_open_with)) }
            }
        }
        Row(Modifier.fillMaxWidth().padding(8.dp), verticalAlignment = Alignment.CenterVertically) {
            IconButton(onClick = onClose) { Icon(Icons.Default.Close, contentDescription = stringResource(R.string.close), tint = Color.White) }
            Text(viewer.title, color = Color.White, style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
        }
        if (annotation.available) AnnotationBar(annotation, annotationActions, Modifier.align(Alignment.BottomCenter))
    }
}

@Composable
private fun AnnotationBar(state: AnnotationState, actions: AnnotationActions, modifier: Modifier) {
    Surface(color = Color(0xCC000000), modifier = modifier.fillMaxWidth()) {
        Row(Modifier.padding(8.dp), verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            when (val p = state.permission) {
                is AnnotationPermission.Pending -> Text(stringResource(R.string.annotation_pending), color = Color.White, modifier = Modifier.weight(1f))
                is AnnotationPermission.Granted -> {
                    Text(stringResource(R.string.annotation_granted), color = Color.White, modifier = Modifier.weight(1f))
                    IconButton(onClick = actions::undo) { Icon(Icons.AutoMirrored.Filled.Undo, contentDescription = stringResource(R.string.annotation_undo), tint = Color.White) }
                }
                is AnnotationPermission.Refused -> {
                    Text(p.reason, color = Color.White, modifier = Modifier.weight(1f))
                    Button(onClick = actions::request) { Text(stringResource(R.string.annotation_request)) }
                }
                else -> {
                    Box(Modifier.weight(1f))
                    Button(onClick = actions::request, enabled = state.canRequest) { Text(stringResource(R.string.annotation_request)) }
                }
            }
        }
        state.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
    }
}

/** Decoded off the main thread, scaled to at most 4096 px on the long side. */
private suspend fun decode(path: String): Bitmap? = withContext(Dispatchers.IO) {
    val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
    BitmapFactory.decodeFile(path, bounds)
    var sample = 1
    while (maxOf(bounds.outWidth, bounds.outHeight) / sample > 4096) sample *= 2
    BitmapFactory.decodeFile(path, BitmapFactory.Options().apply { inSampleSize = sample })
}

@Composable
private fun ZoomableImage(path: String, annotation: AnnotationState, actions: AnnotationActions) {
    val bitmap by produceState<Bitmap?>(null, path) { value = decode(path) }
    var scale by remember { mutableFloatStateOf(1f) }
    var offset by remember { mutableStateOf(Offset.Zero) }
    val image = bitmap
    if (image == null) {
        Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
        return
    }
    Box(
        Modifier
            .fillMaxSize()
            .pointerInput(Unit) {
                detectTransformGestures { _, pan, zoom, _ ->
                    scale = (scale * zoom).coerceIn(1f, 6f)
                    offset = if (scale == 1f) Offset.Zero else offset + pan
                }
            },
        contentAlignment = Alignment.Center,
    ) {
        Box(
            Modifier
                .aspectRatio(image.width.toFloat() / image.height)
                .graphicsLayer(scaleX = scale, scaleY = scale, translationX = offset.x, translationY = offset.y),
        ) {
            Image(image.asImageBitmap(), contentDescription = null, contentScale = ContentScale.Fit, modifier = Modifier.fillMaxSize())
            AnnotationCanvas(annotation, actions, page = 0)
        }
    }
}

/** Everyone's marks over the page, and drawing when the judge allowed it (page coordinates 0..1). */
@Composable
private fun AnnotationCanvas(state: AnnotationState, actions: AnnotationActions, page: Int) {
    LaunchedEffect(page) { actions.setPage(page) }
    val drawing = if (state.canDraw) Modifier.pointerInput(page) {
        detectDragGestures(
            onDragStart = { actions.strokeStarted(it.x / this.size.width, it.y / this.size.height) },
            onDrag = { change, _ -> actions.strokeMoved(change.position.x / this.size.width, change.position.y / this.size.height) },
            onDragEnd = actions::strokeEnded,
        )
    } else Modifier
    Canvas(Modifier.fillMaxSize().then(drawing)) {
        val strokes = state.marks.filter { it.page == page }.map { it.points to Color(it.color) } +
            listOf(state.drawing to Color.Red)
        for ((points, color) in strokes) {
            if (points.size < 2) continue
            val path = Path().apply {
                moveTo(points[0].x * this@Canvas.size.width, points[0].y * this@Canvas.size.height)
                points.drop(1).forEach { lineTo(it.x * this@Canvas.size.width, it.y * this@Canvas.size.height) }
            }
            drawPath(path, color, style = Stroke(width = 4.dp.toPx()))
        }
    }
}

/** A PDF's pages, rendered by the platform one by one as they scroll into view, with pinch zoom. */
@Composable
private fun PdfPages(path: String) {
    val renderer by produceState<PdfRenderer?>(null, path) {
        val opened = withContext(Dispatchers.IO) { PdfRenderer(ParcelFileDescriptor.open(File(path), ParcelFileDescriptor.MODE_READ_ONLY)) }
        value = opened
        awaitDispose { opened.close() }
    }
    var scale by remember { mutableFloatStateOf(1f) }
    val pdf = renderer
    if (pdf == null) {
        Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
        return
    }
    LazyColumn(
        Modifier
            .fillMaxSize()
            .pointerInput(Unit) { detectTransformGestures { _, _, zoom, _ -> scale = (scale * zoom).coerceIn(1f, 5f) } }
            .graphicsLayer(scaleX = scale, scaleY = scale),
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        items(pdf.pageCount) { index ->
            val page by produceState<Bitmap?>(null, pdf, index) {
                value = withContext(Dispatchers.IO) {
                    synchronized(pdf) {
                        pdf.openPage(index).use { p ->
                            val bitmap = Bitmap.createBitmap(p.width * 2, p.height * 2, Bitmap.Config.ARGB_8888)
                            bitmap.eraseColor(android.graphics.Color.WHITE)
                            p.render(bitmap, null, null, PdfRenderer.Page.RENDER_MODE_FOR_DISPLAY)
                            bitmap
                        }
                    }
                }
            }
            Column {
                page?.let { Image(it.asImageBitmap(), contentDescription = null, modifier = Modifier.fillMaxWidth(), contentScale = ContentScale.FillWidth) }
                Text(stringResource(R.string.evidence_page, index + 1, pdf.pageCount), color = Color.White, style = MaterialTheme.typography.labelSmall)
            }
        }
    }
}
