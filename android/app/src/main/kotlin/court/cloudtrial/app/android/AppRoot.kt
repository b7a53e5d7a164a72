package court.cloudtrial.app.android

import android.Manifest
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.os.Build
import android.provider.Settings
import androidx.activity.compose.BackHandler
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Description
import androidx.compose.material.icons.filled.Folder
import androidx.compose.material.icons.filled.Videocam
import androidx.compose.material3.Icon
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.LocalLifecycleOwner
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import androidx.core.content.FileProvider
import androidx.lifecycle.compose.LifecycleResumeEffect
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import court.cloudtrial.app.R
import court.cloudtrial.app.android.platform.FileImport
import court.cloudtrial.app.android.platform.UploadWorker
import court.cloudtrial.app.model.OpinionDraft
import court.cloudtrial.app.model.Session
import court.cloudtrial.app.model.AnnotationTool
import court.cloudtrial.app.model.MarkColour
import court.cloudtrial.app.presenters.AnnotationPresenter
import court.cloudtrial.app.presenters.EvidencePresenter
import court.cloudtrial.app.presenters.LoginPresenter
import court.cloudtrial.app.presenters.RecordPresenter
import court.cloudtrial.app.presenters.Screen
import court.cloudtrial.app.presenters.SelfTestPresenter
import court.cloudtrial.app.presenters.Viewer
import court.cloudtrial.app.ui.evidence.AnnotationActions
import court.cloudtrial.app.ui.evidence.EvidenceActions
import court.cloudtrial.app.ui.evidence.EvidenceScreen
import court.cloudtrial.app.ui.evidence.EvidenceViewer
import court.cloudtrial.app.ui.hearing.HearingActions
import court.cloudtrial.app.ui.hearing.HearingScreen
import court.cloudtrial.app.ui.login.LoginActions
import court.cloudtrial.app.ui.login.LoginScreen
import court.cloudtrial.app.ui.record.RecordActions
import court.cloudtrial.app.ui.record.RecordScreen
import court.cloudtrial.app.ui.selftest.SelfTestActions
import court.cloudtrial.app.ui.selftest.SelfTestScreen
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.combine
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.launch
import java.io.File

/** Connects the screens (ui/) to their presenters and the platform; the views stay free of both. */
@Composable
fun AppRoot(graph: AppGraph, inPictureInPicture: Boolean, smsMessages: Flow<String>, onCodeRequested: () -> Unit) {
    val screen by graph.app.screen.collectAsStateWithLifecycle()
    val atLogin = screen is Screen.Login
    // Back at 会议号登录 (logged out, expired, another hearing's link): out of the room joined before.
    LaunchedEffect(atLogin) { if (atLogin) graph.leaveHearing() }
    when (val s = screen) {
        is Screen.Login -> LoginRoute(graph, s, smsMessages, onCodeRequested)
        is Screen.SelfTest -> SelfTestRoute(graph, s.session)
        is Screen.Hearing -> HearingRoute(graph, s.session, inPictureInPicture)
    }
}

@Composable
private fun LoginRoute(graph: AppGraph, screen: Screen.Login, smsMessages: Flow<String>, onCodeRequested: () -> Unit) {
    val presenter = remember(screen) { LoginPresenter(graph.services.auth, graph.scope, screen.meetingNumber) }
    val state by presenter.state.collectAsStateWithLifecycle()
    LaunchedEffect(presenter) { smsMessages.collect(presenter::onSmsReceived) }
    LaunchedEffect(state.session) { state.session?.let(graph.app::loggedIn) }
    LoginScreen(state, screen.notice, object : LoginActions {
        override fun onMeetingNumber(value: String) = presenter.onMeetingNumberChanged(value)
        override fun onMobile(value: String) = presenter.onMobileChanged(value)
        override fun onCode(value: String) = presenter.onCodeChanged(value)
        override fun requestCode() {
            onCodeRequested()
            presenter.requestCode()
        }
        override fun login() = presenter.login()
    })
}

private fun hearingPermissions(): Array<String> = buildList {
    add(Manifest.permission.CAMERA)
    add(Manifest.permission.RECORD_AUDIO)
    if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) add(Manifest.permission.BLUETOOTH_CONNECT)
    if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) add(Manifest.permission.POST_NOTIFICATIONS)
}.toTypedArray()

@Composable
private fun SelfTestRoute(graph: AppGraph, session: Session) {
    val context = LocalContext.current
    // 登录后将直接入会: in the room (no camera or microphone yet) while the devices are checked.
    LaunchedEffect(session) { runCatching { graph.joinHearing(session) } }
    val presenter = remember { SelfTestPresenter(graph.deviceTester, graph.scope) }
    val state by presenter.state.collectAsStateWithLifecycle()
    fun granted(p: String) = ContextCompat.checkSelfPermission(context, p) == PackageManager.PERMISSION_GRANTED
    var missing by remember { mutableStateOf(!granted(Manifest.permission.CAMERA) || !granted(Manifest.permission.RECORD_AUDIO)) }
    val ask = rememberLauncherForActivityResult(ActivityResultContracts.RequestMultiplePermissions()) {
        missing = !granted(Manifest.permission.CAMERA) || !granted(Manifest.permission.RECORD_AUDIO)
        presenter.start()
    }
    LaunchedEffect(Unit) { if (missing) ask.launch(hearingPermissions()) }
    // Checked while the screen is in front: the microphone is not held in the background, and
    // access granted in the system settings (去设置) counts on the way back.
    LifecycleResumeEffect(Unit) {
        missing = !granted(Manifest.permission.CAMERA) || !granted(Manifest.permission.RECORD_AUDIO)
        if (!missing) presenter.start()
        onPauseOrDispose { presenter.stop() }
    }
    SelfTestScreen(
        state = state,
        permissionsMissing = missing,
        actions = object : SelfTestActions {
            override fun playTestSound() = presenter.playTestSound()
            override fun confirmSpeaker(heard: Boolean) = presenter.confirmSpeaker(heard)
            override fun enter() {
                presenter.stop()
                graph.app.enterHearing()
            }
            override fun openPermissionSettings() {
                context.startActivity(Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", context.packageName, null)))
            }
        },
        cameraPreview = { modifier -> if (!missing) CameraPreview(graph, modifier) },
    )
}

/** The self-test's preview (CameraX), which also tells the tester that frames arrive. */
@Composable
private fun CameraPreview(graph: AppGraph, modifier: Modifier) {
    val context = LocalContext.current
    val owner = LocalLifecycleOwner.current
    val view = remember { PreviewView(context).apply { scaleType = PreviewView.ScaleType.FILL_CENTER } }
    DisposableEffect(owner) {
        graph.deviceTester.previewStarting()
        val future = ProcessCameraProvider.getInstance(context)
        var cameras: ProcessCameraProvider? = null
        var disposed = false
        future.addListener({
            // Left before the camera provider came: bind nothing.
            if (disposed) return@addListener
            try {
                val provider = future.get()
                cameras = provider
                val preview = Preview.Builder().build().also { it.surfaceProvider = view.surfaceProvider }
                val analysis = ImageAnalysis.Builder().setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST).build()
                analysis.setAnalyzer(ContextCompat.getMainExecutor(context)) { image ->
                    graph.deviceTester.cameraFrame()
                    image.close()
                }
                provider.unbindAll()
                provider.bindToLifecycle(owner, CameraSelector.DEFAULT_FRONT_CAMERA, preview, analysis)
            } catch (e: Exception) {
                graph.deviceTester.cameraFailed(e.localizedMessage ?: "无法打开摄像头")
            }
        }, ContextCompat.getMainExecutor(context))
        onDispose {
            disposed = true
            cameras?.unbindAll()
        }
    }
    AndroidView(factory = { view }, modifier = modifier)
}

private enum class Tab(val label: Int) { HEARING(R.string.tab_hearing), EVIDENCE(R.string.tab_evidence), RECORD(R.string.tab_record) }

@Composable
private fun HearingRoute(graph: AppGraph, session: Session, inPictureInPicture: Boolean) {
    val live = remember(session) { graph.enterHearing(session) }
    var tab by rememberSaveable { mutableIntStateOf(Tab.HEARING.ordinal) }
    val evidence by live.evidence.collectAsStateWithLifecycle()
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    // Keyed on the presenter only: taking a shared file changes the flow, and an effect keyed
    // on it would restart and cancel the copy it had just begun. The form takes one file at a
    // time: the next shared file once the form before it has closed.
    LaunchedEffect(evidence) {
        val presenter = evidence ?: return@LaunchedEffect
        graph.sharedFiles.combine(presenter.state) { files, s -> files.isNotEmpty() && s.pending == null }.filter { it }.collect {
            if (presenter.state.value.pending != null) return@collect
            val uri = graph.takeNextShared() ?: return@collect
            tab = Tab.EVIDENCE.ordinal
            runCatching { FileImport.copy(context, uri) }.onSuccess { presenter.picked(it.path, it.displayName) }
        }
    }
    val hearingState = live.hearing.state.collectAsStateWithLifecycle().value
    // The room ended, or its media did (闭庭: the record is still there to read and sign).
    val over = hearingState.ended != null || hearingState.mediaEnded
    LaunchedEffect(over) { if (over) graph.hearingEnded() }
    BackHandler(enabled = tab != Tab.HEARING.ordinal) { tab = Tab.HEARING.ordinal }
    val record by live.record.state.collectAsStateWithLifecycle()
    if (record.signPrompt && !inPictureInPicture) {
        // 发起签名 reaches the party wherever they are in the app, as the QR code pops up on a PC.
        AlertDialog(
            onDismissRequest = live.record::dismissSignPrompt,
            title = { Text(stringResource(R.string.record_sign)) },
            text = { Text(stringResource(R.string.record_sign_prompt)) },
            confirmButton = {
                Button(onClick = { tab = Tab.RECORD.ordinal; live.record.openSigningPad() }) { Text(stringResource(R.string.record_sign)) }
            },
            dismissButton = { TextButton(onClick = live.record::dismissSignPrompt) { Text(stringResource(R.string.record_sign_later)) } },
        )
    }

    if (inPictureInPicture) {
        HearingTab(graph, live, inPictureInPicture = true)
        return
    }
    Scaffold(
        bottomBar = {
            NavigationBar {
                Tab.entries.forEach { t ->
                    NavigationBarItem(
                        selected = tab == t.ordinal,
                        onClick = { tab = t.ordinal },
                        icon = {
                            Icon(
                                when (t) {
                                    Tab.HEARING -> Icons.Default.Videocam
                                    Tab.EVIDENCE -> Icons.Default.Folder
                                    Tab.RECORD -> Icons.Default.Description
                                },
                                contentDescription = null,
                            )
                        },
                        label = { Text(stringResource(t.label)) },
                    )
                }
            }
        },
    ) { padding ->
        Box(Modifier.padding(padding).fillMaxSize()) {
            when (Tab.entries[tab]) {
                Tab.HEARING -> HearingTab(graph, live, inPictureInPicture = false)
                Tab.EVIDENCE -> evidence?.let { EvidenceTab(it, live, scope = scope) }
                    ?: Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
                Tab.RECORD -> RecordTab(live.record)
            }
        }
    }
}

@Composable
private fun HearingTab(graph: AppGraph, live: LiveHearing, inPictureInPicture: Boolean) {
    val state by live.hearing.state.collectAsStateWithLifecycle()
    HearingScreen(
        state = state,
        inPictureInPicture = inPictureInPicture,
        actions = object : HearingActions {
            override fun onTileDoubleTap(participantId: Long) = live.hearing.onTileDoubleTap(participantId)
            override fun toggleCamera() = live.hearing.toggleCamera()
            override fun toggleMicrophone() = live.hearing.toggleMicrophone()
            override fun switchCamera() = live.hearing.switchCamera()
            override fun leave() {
                graph.leaveHearing()
                graph.app.left()
            }
            override fun dismissError() = live.hearing.dismissError()
        },
        tileVideo = { id, modifier ->
            val frame by live.video.frames(id).collectAsStateWithLifecycle()
            frame?.let { f ->
                // The sequence key makes Compose draw the reused bitmap's new pixels.
                androidx.compose.runtime.key(f.sequence) {
                    Image(f.bitmap.asImageBitmap(), contentDescription = null, contentScale = ContentScale.Crop, modifier = modifier)
                }
            }
        },
    )
}

@Composable
private fun EvidenceTab(presenter: EvidencePresenter, live: LiveHearing, scope: kotlinx.coroutines.CoroutineScope) {
    val context = LocalContext.current
    val state by presenter.state.collectAsStateWithLifecycle()
    fun importFile(uri: Uri?) {
        uri ?: return
        scope.launch { runCatching { FileImport.copy(context, uri) }.onSuccess { presenter.picked(it.path, it.displayName) } }
    }
    val album = rememberLauncherForActivityResult(ActivityResultContracts.PickVisualMedia()) { importFile(it) }
    val files = rememberLauncherForActivityResult(ActivityResultContracts.OpenDocument()) { importFile(it) }

    val viewer = state.viewer
    if (viewer != null) {
        val annotation: AnnotationPresenter = remember(viewer.evidenceId) { live.annotation(viewer.evidenceId).also { it.start() } }
        DisposableEffect(annotation) { onDispose { annotation.stop() } }
        val annotationState by annotation.state.collectAsStateWithLifecycle()
        BackHandler(onBack = presenter::closeViewer)
        EvidenceViewer(
            viewer = viewer,
            annotation = annotationState,
            annotationActions = object : AnnotationActions {
                override fun request() = annotation.request()
                override fun chooseTool(tool: AnnotationTool) = annotation.chooseTool(tool)
                override fun chooseColour(colour: MarkColour) = annotation.chooseColour(colour)
                override fun stopDrawing() = annotation.stopDrawing()
                override fun pointerDown(page: Int, x: Float, y: Float) = annotation.pointerDown(page, x, y)
                override fun pointerMove(x: Float, y: Float) = annotation.pointerMove(x, y)
                override fun pointerUp() = annotation.pointerUp()
                override fun pointerCancel() = annotation.pointerCancel()
                override fun placeText(text: String) = annotation.placeText(text)
                override fun cancelText() = annotation.cancelText()
                override fun undo() = annotation.undo()
                override fun dismissError() = annotation.dismissError()
            },
            onOpenExternally = { target ->
                val uri = FileProvider.getUriForFile(context, context.packageName + ".files", File(target.path))
                val view = Intent(Intent.ACTION_VIEW).setDataAndType(uri, target.mediaType).addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
                runCatching { context.startActivity(Intent.createChooser(view, null)) }
            },
            onClose = presenter::closeViewer,
        )
        return
    }
    EvidenceScreen(state, object : EvidenceActions {
        override fun pickFromAlbum() = album.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageAndVideo))
        override fun pickFromFiles() = files.launch(arrayOf("image/*", "application/pdf", "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "audio/*", "video/*"))
        override fun editPending(title: String?, purpose: String?, counter: Boolean?) = presenter.editPending(title, purpose, counter)
        override fun submitPending() {
            val pending = state.pending
            presenter.submitPending()
            // Refused (a field missing): the form stays open, and so does its file.
            if (presenter.state.value.pending != null) return
            UploadWorker.enqueue(context)
            // The core keeps its own copy in the queue; the imported one can go.
            pending?.let { scope.launch { kotlinx.coroutines.delay(30_000); File(it.path).delete() } }
        }
        override fun cancelPending() {
            state.pending?.let { File(it.path).delete() }
            presenter.cancelPending()
        }
        override fun pause(localId: Long) = presenter.pause(localId)
        override fun resume(localId: Long) = presenter.resume(localId)
        override fun open(id: String) = presenter.open(id)
        override fun giveOpinion(id: String, opinion: OpinionDraft) = presenter.giveOpinion(id, opinion)
        override fun refresh() = presenter.refresh()
        override fun dismissError() = presenter.dismissError()
    })
}

@Composable
private fun RecordTab(presenter: RecordPresenter) {
    val state by presenter.state.collectAsStateWithLifecycle()
    val context = LocalContext.current
    LaunchedEffect(state.pdf) {
        val path = state.pdf ?: return@LaunchedEffect
        val uri = FileProvider.getUriForFile(context, context.packageName + ".files", File(path))
        val view = Intent(Intent.ACTION_VIEW).setDataAndType(uri, "application/pdf").addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
        runCatching { context.startActivity(Intent.createChooser(view, null)) }
        presenter.pdfShown()
    }
    RecordScreen(state, object : RecordActions {
        override fun refresh() = presenter.refresh()
        override fun setAutoRefresh(on: Boolean) = presenter.setAutoRefresh(on)
        override fun select(version: Int?) = presenter.select(version)
        override fun openSigningPad() = presenter.openSigningPad()
        override fun closeSigningPad() = presenter.closeSigningPad()
        override fun strokeStarted(x: Float, y: Float) = presenter.strokeStarted(x, y)
        override fun strokeMoved(x: Float, y: Float) = presenter.strokeMoved(x, y)
        override fun clearStrokes() = presenter.clearStrokes()
        override fun submitSignature(width: Float, height: Float) = presenter.submitSignature(width, height)
        override fun showMySignature() = presenter.showMySignature()
        override fun hideMySignature() = presenter.hideMySignature()
        override fun openSignedPdf() = presenter.openSignedPdf()
        override fun dismissError() = presenter.dismissError()
    })
}
