package court.cloudtrial.app.ui.hearing

import androidx.compose.foundation.background
import androidx.compose.foundation.gestures.detectTapGestures
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyRow
import androidx.compose.foundation.lazy.grid.GridCells
import androidx.compose.foundation.lazy.grid.LazyVerticalGrid
import androidx.compose.foundation.lazy.grid.items
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.lazy.rememberLazyListState
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.CallEnd
import androidx.compose.material.icons.filled.Cameraswitch
import androidx.compose.material.icons.filled.Mic
import androidx.compose.material.icons.filled.MicOff
import androidx.compose.material.icons.filled.SignalCellularAlt
import androidx.compose.material.icons.filled.Videocam
import androidx.compose.material.icons.filled.VideocamOff
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.Button
import androidx.compose.material3.FilledIconButton
import androidx.compose.material3.FilledTonalIconButton
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButtonDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clip
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import court.cloudtrial.app.R
import court.cloudtrial.app.presenters.HearingState
import court.cloudtrial.app.presenters.NetworkQuality
import court.cloudtrial.app.presenters.RecognitionLine
import court.cloudtrial.app.presenters.RoomEnd
import court.cloudtrial.app.presenters.Tile

interface HearingActions {
    fun onTileDoubleTap(participantId: Long)
    fun toggleCamera()
    fun toggleMicrophone()
    fun switchCamera()
    fun leave()
    fun dismissError()
}

/**
 * 视频庭审: everyone on one screen with role and name at the bottom left of
 * each tile; double tap enlarges, double tap restores; the recognition panel;
 * 您已被屏蔽，请等待法官传唤 alone while blocked; 重新连接中 over the tiles.
 * In picture-in-picture only the pictures are shown.
 */
@Composable
fun HearingScreen(
    state: HearingState,
    inPictureInPicture: Boolean,
    actions: HearingActions,
    tileVideo: @Composable (participantId: Long, modifier: Modifier) -> Unit,
) {
    var confirmLeave by remember { mutableStateOf(false) }
    Box(Modifier.fillMaxSize().background(Color(0xFF101418))) {
        when {
            state.ended != null -> Ended(state.ended, actions::leave)
            state.blockedMessage != null -> Blocked(state.blockedMessage)
            else -> Column(Modifier.fillMaxSize()) {
                if (!inPictureInPicture) StatusBar(state)
                Box(Modifier.weight(1f).fillMaxWidth()) {
                    if (state.mediaEnded) {
                        Text(
                            state.mediaLabel.orEmpty(),
                            color = Color.White,
                            style = MaterialTheme.typography.bodyLarge,
                            modifier = Modifier.align(Alignment.Center).padding(24.dp),
                        )
                    } else {
                        Tiles(state.tiles, state.enlarged, actions::onTileDoubleTap, tileVideo)
                    }
                    if (state.reconnecting) Reconnecting()
                }
                if (!inPictureInPicture) {
                    if (state.mutedByJudge) {
                        Text(
                            stringResource(R.string.hearing_muted_by_judge),
                            color = Color(0xFFFFCA28),
                            style = MaterialTheme.typography.bodyMedium,
                            modifier = Modifier.fillMaxWidth().padding(horizontal = 12.dp, vertical = 4.dp),
                        )
                    }
                    RecognitionPanel(state.recognitionMessage, state.recognition)
                    Controls(state, actions, onLeave = { confirmLeave = true })
                }
            }
        }
        state.error?.let { message ->
            AlertDialog(
                onDismissRequest = actions::dismissError,
                confirmButton = { TextButton(onClick = actions::dismissError) { Text(stringResource(R.string.ok)) } },
                text = { Text(message) },
            )
        }
        if (confirmLeave) {
            AlertDialog(
                onDismissRequest = { confirmLeave = false },
                confirmButton = { TextButton(onClick = { confirmLeave = false; actions.leave() }) { Text(stringResource(R.string.hearing_leave)) } },
                dismissButton = { TextButton(onClick = { confirmLeave = false }) { Text(stringResource(R.string.cancel)) } },
                text = { Text(stringResource(R.string.hearing_leave_confirm)) },
            )
        }
    }
}

@Composable
private fun StatusBar(state: HearingState) {
    Row(Modifier.fillMaxWidth().padding(horizontal = 12.dp, vertical = 6.dp), verticalAlignment = Alignment.CenterVertically) {
        Text(state.phaseLabel.orEmpty(), color = Color.White, style = MaterialTheme.typography.titleSmall, modifier = Modifier.weight(1f))
        val (label, color) = when (state.network) {
            NetworkQuality.GOOD -> R.string.network_good to Color(0xFF66BB6A)
            NetworkQuality.FAIR -> R.string.network_fair to Color(0xFFFFCA28)
            NetworkQuality.POOR -> R.string.network_poor to Color(0xFFEF5350)
            NetworkQuality.UNKNOWN -> null to Color.Gray
        }
        Icon(Icons.Default.SignalCellularAlt, contentDescription = null, tint = color)
        Text(label?.let { stringResource(it) } ?: state.connectionLabel, color = color, style = MaterialTheme.typography.bodySmall)
    }
}

@Composable
private fun Tiles(
    tiles: List<Tile>,
    enlarged: Long?,
    onDoubleTap: (Long) -> Unit,
    tileVideo: @Composable (Long, Modifier) -> Unit,
) {
    val big = tiles.firstOrNull { it.participantId == enlarged }
    if (big != null) {
        Column(Modifier.fillMaxSize()) {
            VideoTile(big, onDoubleTap, tileVideo, Modifier.weight(1f).fillMaxWidth())
            LazyRow(Modifier.fillMaxWidth().padding(4.dp), horizontalArrangement = Arrangement.spacedBy(4.dp)) {
                items(tiles.filter { it != big }, key = { it.participantId }) { tile ->
                    VideoTile(tile, onDoubleTap, tileVideo, Modifier.width(96.dp).aspectRatio(3f / 4f))
                }
            }
        }
    } else {
        val columns = if (tiles.size <= 1) 1 else 2
        LazyVerticalGrid(
            columns = GridCells.Fixed(columns),
            modifier = Modifier.fillMaxSize().padding(4.dp),
            horizontalArrangement = Arrangement.spacedBy(4.dp),
            verticalArrangement = Arrangement.spacedBy(4.dp),
        ) {
            items(tiles, key = { it.participantId }) { tile ->
                VideoTile(tile, onDoubleTap, tileVideo, Modifier.fillMaxWidth().aspectRatio(3f / 4f))
            }
        }
    }
}

@Composable
private fun VideoTile(tile: Tile, onDoubleTap: (Long) -> Unit, tileVideo: @Composable (Long, Modifier) -> Unit, modifier: Modifier) {
    Box(
        modifier
            .clip(RoundedCornerShape(8.dp))
            .background(Color(0xFF263238))
            .pointerInput(tile.participantId) { detectTapGestures(onDoubleTap = { onDoubleTap(tile.participantId) }) },
    ) {
        tileVideo(tile.participantId, Modifier.fillMaxSize())
        // 视频小画面左下角，显示角色+名字
        Surface(color = Color(0x99000000), shape = RoundedCornerShape(topEnd = 6.dp), modifier = Modifier.align(Alignment.BottomStart)) {
            Row(Modifier.padding(horizontal = 6.dp, vertical = 2.dp), verticalAlignment = Alignment.CenterVertically) {
                Text(
                    tile.label + if (tile.isMe) stringResource(R.string.hearing_me) else "",
                    color = Color.White,
                    style = MaterialTheme.typography.labelMedium,
                )
                if (tile.muted) Icon(Icons.Default.MicOff, contentDescription = stringResource(R.string.hearing_muted), tint = Color.White, modifier = Modifier.padding(start = 2.dp).width(14.dp))
            }
        }
    }
}

@Composable
private fun RecognitionPanel(message: String?, lines: List<RecognitionLine>) {
    val list = rememberLazyListState()
    LaunchedEffect(lines.size) { if (lines.isNotEmpty()) list.animateScrollToItem(lines.size - 1) }
    Surface(color = Color(0xFF1C2229), modifier = Modifier.fillMaxWidth().heightIn(min = 56.dp, max = 140.dp)) {
        Column(Modifier.padding(horizontal = 12.dp, vertical = 6.dp)) {
            Text(stringResource(R.string.hearing_recognition), color = Color(0xFF90A4AE), style = MaterialTheme.typography.labelSmall)
            if (lines.isEmpty()) {
                Text(message.orEmpty(), color = Color(0xFFB0BEC5), style = MaterialTheme.typography.bodySmall)
            } else {
                LazyColumn(state = list) {
                    items(lines, key = { it.segment }) { line ->
                        Text(
                            "${line.speakerLabel} ${line.time}  ${line.text}",
                            color = if (line.isFinal) Color.White else Color(0xFFB0BEC5),
                            style = MaterialTheme.typography.bodySmall,
                        )
                    }
                }
            }
        }
    }
}

@Composable
private fun Controls(state: HearingState, actions: HearingActions, onLeave: () -> Unit) {
    Row(
        Modifier.fillMaxWidth().padding(12.dp),
        horizontalArrangement = Arrangement.SpaceEvenly,
        verticalAlignment = Alignment.CenterVertically,
    ) {
        FilledTonalIconButton(onClick = actions::toggleMicrophone) {
            Icon(if (state.microphoneOn) Icons.Default.Mic else Icons.Default.MicOff, contentDescription = stringResource(R.string.hearing_toggle_microphone))
        }
        FilledTonalIconButton(onClick = actions::toggleCamera) {
            Icon(if (state.cameraOn) Icons.Default.Videocam else Icons.Default.VideocamOff, contentDescription = stringResource(R.string.hearing_toggle_camera))
        }
        FilledTonalIconButton(onClick = actions::switchCamera, enabled = state.cameraOn) {
            Icon(Icons.Default.Cameraswitch, contentDescription = stringResource(R.string.hearing_switch_camera))
        }
        FilledIconButton(onClick = onLeave, colors = IconButtonDefaults.filledIconButtonColors(containerColor = MaterialTheme.colorScheme.error)) {
            Icon(Icons.Default.CallEnd, contentDescription = stringResource(R.string.hearing_leave))
        }
    }
}

@Composable
private fun Reconnecting() {
    Box(Modifier.fillMaxSize().background(Color(0x99000000)), contentAlignment = Alignment.Center) {
        Column(horizontalAlignment = Alignment.CenterHorizontally, verticalArrangement = Arrangement.spacedBy(12.dp)) {
            CircularProgressIndicator(color = Color.White)
            Text(stringResource(R.string.hearing_reconnecting), color = Color.White, style = MaterialTheme.typography.titleMedium)
        }
    }
}

@Composable
private fun Blocked(message: String) {
    Box(Modifier.fillMaxSize().padding(32.dp), contentAlignment = Alignment.Center) {
        Text(message, color = Color.White, style = MaterialTheme.typography.headlineSmall, textAlign = TextAlign.Center)
    }
}

@Composable
private fun Ended(end: RoomEnd, leave: () -> Unit) {
    Column(
        Modifier.fillMaxSize().padding(32.dp),
        verticalArrangement = Arrangement.Center,
        horizontalAlignment = Alignment.CenterHorizontally,
    ) {
        Text(
            when (end) {
                RoomEnd.Replaced -> stringResource(R.string.hearing_replaced)
                is RoomEnd.Ended -> end.reason
            },
            color = Color.White,
            style = MaterialTheme.typography.titleLarge,
            textAlign = TextAlign.Center,
        )
        Button(onClick = leave, modifier = Modifier.padding(top = 24.dp)) { Text(stringResource(R.string.hearing_leave)) }
    }
}
