package court.cloudtrial.app.ui.evidence

import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.pdf.PdfRenderer
import android.os.ParcelFileDescriptor
import androidx.compose.foundation.Image
import androidx.compose.foundation.background
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
import androidx.compose.material.icons.filled.Close
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
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
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.graphics.graphicsLayer
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import court.cloudtrial.app.R
import court.cloudtrial.app.presenters.AnnotationState
import court.cloudtrial.app.presenters.Viewer
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.io.File

/** Evidence full screen: pictures and PDF pages with pinch zoom, everyone's 圈注 over them; 申请圈注 and drawing when the court allows. */
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
            is Viewer.Pdf -> PdfPages(viewer.path, annotation, annotationActions)
            is Viewer.External -> Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) {
                Button(onClick = { onOpenExternally(viewer) }) { Text(stringResource(R.string.evidence_open_with)) }
            }
        }
        Row(Modifier.fillMaxWidth().padding(8.dp), verticalAlignment = Alignment.CenterVertically) {
            IconButton(onClick = onClose) { Icon(Icons.Default.Close, contentDescription = stringResource(R.string.close), tint = Color.White) }
            Text(viewer.title, color = Color.White, style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
        }
        if (viewer !is Viewer.External) AnnotationToolbar(annotation, annotationActions, Modifier.align(Alignment.BottomCenter))
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
    // null while decoding; then the picture, or null inside when it cannot be decoded.
    val decoded by produceState<Result<Bitmap?>?>(null, path) { value = Result.success(decode(path)) }
    var scale by remember { mutableFloatStateOf(1f) }
    var offset by remember { mutableStateOf(Offset.Zero) }
    val result = decoded
    if (result == null) {
        Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
        return
    }
    val image = result.getOrNull()
    if (image == null) {
        CannotShow(stringResource(R.string.evidence_cannot_show_image))
        return
    }
    Box(
        Modifier
            .fillMaxSize()
            // While drawing, the finger belongs to the annotation layer.
            .pointerInput(annotation.drawing) {
                if (annotation.drawing) return@pointerInput
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
            AnnotationLayer(annotation, actions, page = 1)
        }
    }
}

/** A PDF's pages, rendered by the platform one by one as they scroll into view, with pinch zoom. */
@Composable
private fun PdfPages(path: String, annotation: AnnotationState, actions: AnnotationActions) {
    // A damaged or password-protected file fails here, and is said so rather than crash the app.
    val opening by produceState<Result<OpenedPdf>?>(null, path) {
        val opened = withContext(Dispatchers.IO) {
            runCatching { OpenedPdf(PdfRenderer(ParcelFileDescriptor.open(File(path), ParcelFileDescriptor.MODE_READ_ONLY))) }
        }
        value = opened
        awaitDispose { opened.getOrNull()?.close() }
    }
    var scale by remember { mutableFloatStateOf(1f) }
    val result = opening
    if (result == null) {
        Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
        return
    }
    val pdf = result.getOrNull()
    if (pdf == null) {
        CannotShow(stringResource(R.string.evidence_cannot_show_file))
        return
    }
    LazyColumn(
        Modifier
            .fillMaxSize()
            .pointerInput(annotation.drawing) {
                if (annotation.drawing) return@pointerInput
                detectTransformGestures { _, _, zoom, _ -> scale = (scale * zoom).coerceIn(1f, 5f) }
            }
            .graphicsLayer(scaleX = scale, scaleY = scale),
        userScrollEnabled = !annotation.drawing,
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        items(pdf.pageCount) { index ->
            val page by produceState<Bitmap?>(null, pdf, index) { value = withContext(Dispatchers.IO) { pdf.render(index) } }
            Column {
                page?.let {
                    // Marks are in fractions of the page, so the layer covers exactly the rendered page.
                    Box(Modifier.fillMaxWidth().aspectRatio(it.width.toFloat() / it.height)) {
                        Image(it.asImageBitmap(), contentDescription = null, modifier = Modifier.fillMaxSize(), contentScale = ContentScale.FillBounds)
                        AnnotationLayer(annotation, actions, page = index + 1)
                    }
                }
                Text(stringResource(R.string.evidence_page, index + 1, pdf.pageCount), color = Color.White, style = MaterialTheme.typography.labelSmall)
            }
        }
    }
}

@Composable
private fun CannotShow(message: String) {
    Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) {
        Text(message, color = Color.White, style = MaterialTheme.typography.bodyLarge)
    }
}

/**
 * The platform's renderer, one page at a time: a page still rendering when
 * the viewer closes finishes before the renderer closes, and none starts after.
 */
private class OpenedPdf(private val renderer: PdfRenderer) {
    private var closed = false
    val pageCount = renderer.pageCount

    fun render(index: Int): Bitmap? = synchronized(this) {
        if (closed) return null
        renderer.openPage(index).use { p ->
            val bitmap = Bitmap.createBitmap(p.width * 2, p.height * 2, Bitmap.Config.ARGB_8888)
            bitmap.eraseColor(android.graphics.Color.WHITE)
            p.render(bitmap, null, null, PdfRenderer.Page.RENDER_MODE_FOR_DISPLAY)
            bitmap
        }
    }

    fun close() = synchronized(this) {
        if (!closed) {
            closed = true
            renderer.close()
        }
    }
}
