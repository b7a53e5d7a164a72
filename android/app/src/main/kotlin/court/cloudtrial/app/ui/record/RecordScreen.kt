package court.cloudtrial.app.ui.record

import android.graphics.BitmapFactory
import androidx.compose.foundation.Canvas
import androidx.compose.foundation.Image
import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.foundation.gestures.detectDragGestures
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.ArrowBack
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Surface
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.graphics.StrokeCap
import androidx.compose.ui.graphics.StrokeJoin
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.layout.onSizeChanged
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.IntSize
import androidx.compose.ui.unit.dp
import court.cloudtrial.app.R
import court.cloudtrial.app.model.RecordDocument
import court.cloudtrial.app.model.RecordHeader
import court.cloudtrial.app.model.StrokePoint
import court.cloudtrial.app.presenters.RecordState
import court.cloudtrial.app.ui.common.ErrorBanner
import java.text.SimpleDateFormat
import java.util.Date
import java.util.Locale

interface RecordActions {
    fun refresh()
    fun setAutoRefresh(on: Boolean)
    fun select(version: Int?)
    fun openSigningPad()
    fun closeSigningPad()
    fun strokeStarted(x: Float, y: Float)
    fun strokeMoved(x: Float, y: Float)
    fun clearStrokes()
    fun submitSignature(width: Float, height: Float)
    fun showMySignature()
    fun hideMySignature()
    fun openSignedPdf()
    fun dismissError()
}

private fun time(ms: Long) = SimpleDateFormat("MM-dd HH:mm", Locale.CHINA).format(Date(ms))

/** 庭审笔录: the list and detail, 刷新 and 笔录自动刷新, 签名 with a finger, 查看签名. */
@Composable
fun RecordScreen(state: RecordState, actions: RecordActions) {
    Column(Modifier.fillMaxSize()) {
        ErrorBanner(state.error, actions::dismissError)
        Row(Modifier.fillMaxWidth().padding(horizontal = 12.dp), verticalAlignment = Alignment.CenterVertically) {
            if (state.detail != null) {
                IconButton(onClick = { actions.select(null) }) { Icon(Icons.AutoMirrored.Filled.ArrowBack, contentDescription = null) }
            }
            Text(stringResource(R.string.tab_record), style = MaterialTheme.typography.titleLarge, modifier = Modifier.weight(1f))
            Text(stringResource(R.string.record_auto_refresh), style = MaterialTheme.typography.bodySmall)
            Switch(checked = state.autoRefresh, onCheckedChange = actions::setAutoRefresh, modifier = Modifier.padding(horizontal = 4.dp))
            IconButton(onClick = actions::refresh) { Icon(Icons.Default.Refresh, contentDescription = stringResource(R.string.refresh)) }
        }
        if (state.mustSign) {
            Surface(color = MaterialTheme.colorScheme.primaryContainer, modifier = Modifier.fillMaxWidth()) {
                Row(Modifier.padding(12.dp), verticalAlignment = Alignment.CenterVertically) {
                    Text(stringResource(R.string.record_sign_prompt), modifier = Modifier.weight(1f))
                    Button(onClick = actions::openSigningPad) { Text(stringResource(R.string.record_sign)) }
                }
            }
        }
        Row(Modifier.padding(horizontal = 8.dp)) {
            if (state.mySignatureInfo != null) {
                TextButton(onClick = actions::showMySignature) { Text(stringResource(R.string.record_view_signature)) }
            }
            if (state.pdfOffered) {
                TextButton(onClick = actions::openSignedPdf, enabled = !state.openingPdf) {
                    Text(stringResource(if (state.allSigned) R.string.record_download_signed else R.string.record_download_unsigned))
                }
            }
        }
        val detail = state.detail
        when {
            detail != null -> RecordDetail(detail, state)
            state.versions.isEmpty() -> Text(stringResource(R.string.record_none), modifier = Modifier.padding(24.dp))
            else -> LazyColumn(Modifier.fillMaxSize(), verticalArrangement = Arrangement.spacedBy(8.dp), contentPadding = androidx.compose.foundation.layout.PaddingValues(12.dp)) {
                items(state.versions, key = { it.version }) { v ->
                    Card(Modifier.fillMaxWidth().clickable { actions.select(v.version) }) {
                        Column(Modifier.padding(12.dp)) {
                            Text(stringResource(R.string.record_version, v.version), style = MaterialTheme.typography.titleSmall)
                            Text(stringResource(R.string.record_saved_by, v.savedBy, time(v.savedAtMs)), style = MaterialTheme.typography.bodySmall)
                            Text(v.paragraphs.lastOrNull()?.let { "${it.speaker}：${it.text}" }.orEmpty(), maxLines = 2, style = MaterialTheme.typography.bodyMedium)
                        }
                    }
                }
            }
        }
    }
    if (state.signingPad) {
        val round = state.signing
        val read = state.versions.firstOrNull { it.version == round?.version }
        SigningDialog(read, state.strokes, state.submitting, actions)
    }
    state.mySignature?.let { mine ->
        val image = remember(mine) { BitmapFactory.decodeByteArray(mine.png, 0, mine.png.size)?.asImageBitmap() }
        AlertDialog(
            onDismissRequest = actions::hideMySignature,
            title = { Text(stringResource(R.string.record_view_signature)) },
            text = {
                Column {
                    image?.let { Image(it, contentDescription = null, modifier = Modifier.fillMaxWidth().background(Color.White)) }
                    Text(stringResource(R.string.record_version, mine.info.version) + " · " + time(mine.info.signedAtMs), style = MaterialTheme.typography.bodySmall)
                }
            },
            confirmButton = { TextButton(onClick = actions::hideMySignature) { Text(stringResource(R.string.close)) } },
        )
    }
}

/** The record's header, every field in the order the court prints it. */
@Composable
private fun RecordHeaderLines(header: RecordHeader) {
    val style = MaterialTheme.typography.bodyMedium
    Text(stringResource(R.string.record_case_number, header.caseNumber), style = style)
    Text(stringResource(R.string.record_case_title, header.caseTitle), style = style)
    Text(stringResource(R.string.record_time, header.time), style = style)
    Text(stringResource(R.string.record_place, header.place), style = style)
    Text(stringResource(R.string.record_judges, header.judges.joinToString("、")), style = style)
    Text(stringResource(R.string.record_clerk, header.clerk), style = style)
    Text(stringResource(R.string.record_present, header.present.joinToString("、")), style = style)
}

@Composable
private fun RecordDetail(v: RecordDocument, state: RecordState) {
    LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
        item {
            RecordHeaderLines(v.header)
            HorizontalDivider(Modifier.padding(vertical = 8.dp))
        }
        items(v.paragraphs) { p -> Text("${p.speaker}：${p.text}", style = MaterialTheme.typography.bodyLarge) }
        state.signing?.takeIf { it.version == v.version }?.let { round ->
            item {
                HorizontalDivider(Modifier.padding(vertical = 8.dp))
                Text(stringResource(R.string.record_signers), style = MaterialTheme.typography.titleSmall)
            }
            items(round.signers) { s ->
                Text("${s.person.label}  " + stringResource(if (s.signature != null) R.string.record_signed else R.string.record_not_signed))
            }
        }
    }
}

/** The signing pad: the record to read above, a box to write in with a finger. Strokes go to the core. */
@Composable
private fun SigningDialog(read: RecordDocument?, strokes: List<List<StrokePoint>>, submitting: Boolean, actions: RecordActions) {
    var padSize by remember { mutableStateOf(IntSize.Zero) }
    AlertDialog(
        onDismissRequest = actions::closeSigningPad,
        title = { Text(stringResource(R.string.record_sign)) },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                // What is signed, in full, above the pad: a party signs what they have read.
                read?.let { v ->
                    Column(Modifier.fillMaxWidth().heightIn(max = 260.dp).verticalScroll(rememberScrollState())) {
                        Text(stringResource(R.string.record_version, v.version), style = MaterialTheme.typography.titleSmall)
                        RecordHeaderLines(v.header)
                        HorizontalDivider(Modifier.padding(vertical = 6.dp))
                        v.paragraphs.forEach { p -> Text("${p.speaker}：${p.text}", style = MaterialTheme.typography.bodyMedium) }
                    }
                }
                Text(stringResource(R.string.record_sign_here), style = MaterialTheme.typography.bodySmall)
                Canvas(
                    Modifier
                        .fillMaxWidth()
                        .height(180.dp)
                        .background(Color.White)
                        .border(1.dp, MaterialTheme.colorScheme.outline)
                        .onSizeChanged { padSize = it }
                        .pointerInput(Unit) {
                            detectDragGestures(
                                onDragStart = { actions.strokeStarted(it.x, it.y) },
                                onDrag = { change, _ -> actions.strokeMoved(change.position.x, change.position.y) },
                            )
                        },
                ) {
                    for (stroke in strokes) {
                        if (stroke.isEmpty()) continue
                        val path = Path().apply {
                            moveTo(stroke[0].x, stroke[0].y)
                            stroke.drop(1).forEach { lineTo(it.x, it.y) }
                        }
                        drawPath(path, Color.Black, style = Stroke(width = 3.dp.toPx(), cap = StrokeCap.Round, join = StrokeJoin.Round))
                    }
                }
                OutlinedButton(onClick = actions::clearStrokes) { Text(stringResource(R.string.record_sign_clear)) }
            }
        },
        confirmButton = {
            Button(
                onClick = { actions.submitSignature(padSize.width.toFloat(), padSize.height.toFloat()) },
                enabled = strokes.isNotEmpty() && !submitting && read != null,
            ) { Text(stringResource(R.string.record_sign_confirm)) }
        },
        dismissButton = { TextButton(onClick = actions::closeSigningPad) { Text(stringResource(R.string.cancel)) } },
    )
}
