package court.cloudtrial.app.ui.evidence

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Add
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.AssistChip
import androidx.compose.material3.Badge
import androidx.compose.material3.Card
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.ExtendedFloatingActionButton
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
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
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import court.cloudtrial.app.R
import court.cloudtrial.app.model.Opinion
import court.cloudtrial.app.model.OpinionDraft
import court.cloudtrial.app.model.PositionDraft
import court.cloudtrial.app.model.Submitting
import court.cloudtrial.app.model.Upload
import court.cloudtrial.app.model.UploadStatus
import court.cloudtrial.app.presenters.EvidenceRow
import court.cloudtrial.app.presenters.EvidenceState
import court.cloudtrial.app.presenters.PendingUpload
import court.cloudtrial.app.ui.common.ErrorBanner

interface EvidenceActions {
    /** 从相册上传: the system Photo Picker (no storage permission). */
    fun pickFromAlbum()
    /** 从文件选择: the document picker. */
    fun pickFromFiles()
    fun editPending(title: String? = null, purpose: String? = null, counter: Boolean? = null)
    fun submitPending()
    fun cancelPending()
    fun pause(localId: Long)
    fun resume(localId: Long)
    fun open(id: String)
    fun giveOpinion(id: String, opinion: OpinionDraft)
    fun refresh()
    fun dismissError()
}

/** 证据材料: both sides' evidence with 反, 质证意见, uploads with their progress. */
@Composable
fun EvidenceScreen(state: EvidenceState, actions: EvidenceActions) {
    var menu by remember { mutableStateOf(false) }
    var opinionFor by remember { mutableStateOf<EvidenceRow?>(null) }
    Scaffold(
        floatingActionButton = {
            if (state.submitting == Submitting.Open) Box {
                ExtendedFloatingActionButton(
                    onClick = { menu = true },
                    icon = { Icon(Icons.Default.Add, contentDescription = null) },
                    text = { Text(stringResource(R.string.evidence_upload)) },
                )
                DropdownMenu(expanded = menu, onDismissRequest = { menu = false }) {
                    DropdownMenuItem(text = { Text(stringResource(R.string.evidence_from_album)) }, onClick = { menu = false; actions.pickFromAlbum() })
                    DropdownMenuItem(text = { Text(stringResource(R.string.evidence_from_files)) }, onClick = { menu = false; actions.pickFromFiles() })
                    Text(stringResource(R.string.evidence_from_chat_hint), style = MaterialTheme.typography.bodySmall, modifier = Modifier.padding(12.dp))
                }
            }
        },
    ) { padding ->
        Column(Modifier.fillMaxSize().padding(padding)) {
            ErrorBanner(state.error, actions::dismissError)
            LazyColumn(Modifier.fillMaxSize(), contentPadding = androidx.compose.foundation.layout.PaddingValues(12.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                item {
                    Row(verticalAlignment = Alignment.CenterVertically) {
                        Text(stringResource(R.string.tab_evidence), style = MaterialTheme.typography.titleLarge, modifier = Modifier.weight(1f))
                        IconButton(onClick = actions::refresh) { Icon(Icons.Default.Refresh, contentDescription = stringResource(R.string.refresh)) }
                    }
                }
                (state.submitting as? Submitting.Closed)?.let { closed ->
                    item { Text(closed.reason, style = MaterialTheme.typography.bodyMedium) }
                }
                if (state.uploads.isNotEmpty()) {
                    item { Text(stringResource(R.string.evidence_my_uploads), style = MaterialTheme.typography.titleSmall) }
                    items(state.uploads, key = { "upload-${it.localId}" }) { UploadRow(it, actions) }
                }
                if (state.sides.isEmpty()) {
                    item { Text(stringResource(R.string.evidence_none), modifier = Modifier.padding(vertical = 24.dp)) }
                }
                state.sides.forEach { side ->
                    item(key = "side-${side.sideLabel}") { Text(side.sideLabel, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 8.dp)) }
                    items(side.rows, key = { it.evidence.id }) { row ->
                        EvidenceCard(row, opening = state.opening == row.evidence.id, openingPercent = state.openingPercent, onOpen = { actions.open(row.evidence.id) }, onOpinion = { opinionFor = row })
                    }
                }
            }
        }
    }
    state.pending?.let { PendingDialog(it, actions) }
    opinionFor?.let { row ->
        OpinionDialog(onDismiss = { opinionFor = null }, onSubmit = { actions.giveOpinion(row.evidence.id, it); opinionFor = null })
    }
}

@Composable
private fun UploadRow(upload: Upload, actions: EvidenceActions) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                if (upload.counter) Badge { Text("反") }
                Text(upload.title, modifier = Modifier.weight(1f).padding(start = 4.dp))
                Text("${upload.statusLabel} ${upload.percent}%", style = MaterialTheme.typography.bodySmall)
            }
            LinearProgressIndicator(progress = { upload.percent / 100f }, modifier = Modifier.fillMaxWidth())
            upload.reason?.let { Text(it, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodySmall) }
            when (upload.status) {
                UploadStatus.UPLOADING, UploadStatus.QUEUED -> TextButton(onClick = { actions.pause(upload.localId) }) { Text(stringResource(R.string.evidence_pause)) }
                UploadStatus.PAUSED, UploadStatus.FAILED -> TextButton(onClick = { actions.resume(upload.localId) }) { Text(stringResource(R.string.evidence_resume)) }
                UploadStatus.SUBMITTED -> Unit
            }
        }
    }
}

@Composable
private fun EvidenceCard(row: EvidenceRow, opening: Boolean, openingPercent: Int?, onOpen: () -> Unit, onOpinion: () -> Unit) {
    val e = row.evidence
    Card(Modifier.fillMaxWidth().clickable(onClick = onOpen)) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                // "反" on counter-evidence, as in the manual's list.
                e.badge?.let { Badge(containerColor = MaterialTheme.colorScheme.error) { Text(it) } }
                Text(e.title, style = MaterialTheme.typography.titleSmall, modifier = Modifier.weight(1f).padding(start = 4.dp))
                val label = when {
                    !opening -> e.kindLabel
                    openingPercent != null -> stringResource(R.string.evidence_opening_percent, openingPercent)
                    else -> stringResource(R.string.evidence_opening)
                }
                AssistChip(onClick = onOpen, label = { Text(label) })
            }
            Text(stringResource(R.string.evidence_submitter, e.sideLabel, e.submitterName), style = MaterialTheme.typography.bodySmall)
            if (e.purpose.isNotBlank()) Text("${stringResource(R.string.evidence_purpose)}：${e.purpose}", style = MaterialTheme.typography.bodySmall)
            e.opinions.forEach { OpinionLine(it) }
            if (row.canGiveOpinion) TextButton(onClick = onOpinion) { Text(stringResource(R.string.evidence_opinion)) }
        }
    }
}

@Composable
private fun OpinionLine(o: Opinion) {
    Text(
        "${o.byRoleLabel} ${o.byName}：${stringResource(R.string.evidence_authenticity)}${o.authenticity.label}，" +
            "${stringResource(R.string.evidence_legality)}${o.legality.label}，${stringResource(R.string.evidence_relevance)}${o.relevance.label}",
        style = MaterialTheme.typography.bodySmall,
    )
}

@Composable
private fun PendingDialog(pending: PendingUpload, actions: EvidenceActions) {
    AlertDialog(
        onDismissRequest = actions::cancelPending,
        title = { Text(stringResource(R.string.evidence_upload)) },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(pending.fileName, style = MaterialTheme.typography.bodySmall)
                OutlinedTextField(pending.title, { actions.editPending(title = it) }, label = { Text(stringResource(R.string.evidence_title)) }, singleLine = true)
                OutlinedTextField(pending.purpose, { actions.editPending(purpose = it) }, label = { Text(stringResource(R.string.evidence_purpose)) })
                Row(verticalAlignment = Alignment.CenterVertically) {
                    Text(stringResource(R.string.evidence_counter), modifier = Modifier.weight(1f))
                    Switch(checked = pending.counter, onCheckedChange = { actions.editPending(counter = it) })
                }
            }
        },
        confirmButton = { TextButton(onClick = actions::submitPending) { Text(stringResource(R.string.evidence_submit)) } },
        dismissButton = { TextButton(onClick = actions::cancelPending) { Text(stringResource(R.string.cancel)) } },
    )
}

/** 质证: 真实性, 合法性, 关联性, each 认可 or 有异议 with a reason. */
@Composable
private fun OpinionDialog(onDismiss: () -> Unit, onSubmit: (OpinionDraft) -> Unit) {
    var authenticity by remember { mutableStateOf(PositionDraft(true)) }
    var legality by remember { mutableStateOf(PositionDraft(true)) }
    var relevance by remember { mutableStateOf(PositionDraft(true)) }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.evidence_opinion)) },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                PositionInput(stringResource(R.string.evidence_authenticity), authenticity) { authenticity = it }
                PositionInput(stringResource(R.string.evidence_legality), legality) { legality = it }
                PositionInput(stringResource(R.string.evidence_relevance), relevance) { relevance = it }
            }
        },
        confirmButton = { TextButton(onClick = { onSubmit(OpinionDraft(authenticity, legality, relevance)) }) { Text(stringResource(R.string.evidence_submit)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.cancel)) } },
    )
}

@Composable
private fun PositionInput(title: String, value: PositionDraft, onChange: (PositionDraft) -> Unit) {
    Column {
        Row(verticalAlignment = Alignment.CenterVertically) {
            Text(title, modifier = Modifier.weight(1f))
            Text(stringResource(if (value.accept) R.string.evidence_accept else R.string.evidence_dispute))
            Switch(checked = !value.accept, onCheckedChange = { onChange(value.copy(accept = !it)) }, modifier = Modifier.padding(start = 8.dp))
        }
        if (!value.accept) {
            OutlinedTextField(value.reason, { onChange(value.copy(reason = it)) }, label = { Text(stringResource(R.string.evidence_reason)) }, modifier = Modifier.fillMaxWidth())
        }
    }
}
