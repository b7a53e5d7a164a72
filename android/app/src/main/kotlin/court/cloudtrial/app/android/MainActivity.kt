package court.cloudtrial.app.android

import android.app.PictureInPictureParams
import android.content.Intent
import android.content.res.Configuration
import android.net.Uri
import android.os.Build
import android.os.Bundle
import android.util.Rational
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.compose.runtime.mutableStateOf
import androidx.core.content.IntentCompat
import androidx.lifecycle.lifecycleScope
import court.cloudtrial.app.android.platform.SmsConsent
import court.cloudtrial.app.presenters.Screen
import court.cloudtrial.app.ui.theme.CloudTrialTheme
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.launch

/**
 * The one activity. Opened by the launcher, by the SMS link (App Links:
 * the meeting number is filled in), or by another app's 分享 (the file becomes
 * evidence). Enters picture-in-picture when the user leaves during a hearing.
 */
class MainActivity : ComponentActivity() {
    private val graph get() = (application as CloudTrialApplication).graph
    private val inPictureInPicture = mutableStateOf(false)
    private val smsMessages = MutableSharedFlow<String>(extraBufferCapacity = 1)
    private lateinit var smsConsent: SmsConsent

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        smsConsent = SmsConsent(this) { message -> smsMessages.tryEmit(message) }
        if (savedInstanceState == null) handle(intent)
        lifecycleScope.launch {
            graph.app.screen.collect { screen -> updatePictureInPicture(screen is Screen.Hearing) }
        }
        setContent {
            CloudTrialTheme {
                AppRoot(
                    graph = graph,
                    inPictureInPicture = inPictureInPicture.value,
                    smsMessages = smsMessages,
                    onCodeRequested = { smsConsent.listen() },
                )
            }
        }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        handle(intent)
    }

    private fun handle(intent: Intent?) {
        when (intent?.action) {
            Intent.ACTION_VIEW -> intent.dataString?.let(graph.app::openLink)
            Intent.ACTION_SEND -> IntentCompat.getParcelableExtra(intent, Intent.EXTRA_STREAM, Uri::class.java)?.let { graph.share(listOf(it)) }
            Intent.ACTION_SEND_MULTIPLE ->
                IntentCompat.getParcelableArrayListExtra(intent, Intent.EXTRA_STREAM, Uri::class.java)?.let { graph.share(it) }
        }
    }

    private fun pictureInPictureParams(autoEnter: Boolean): PictureInPictureParams {
        val builder = PictureInPictureParams.Builder().setAspectRatio(Rational(3, 4))
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) builder.setAutoEnterEnabled(autoEnter)
        return builder.build()
    }

    /** In a hearing, leaving the app shrinks it to picture-in-picture (Android 12+ by itself). */
    private fun updatePictureInPicture(inHearing: Boolean) {
        if (packageManager.hasSystemFeature("android.software.picture_in_picture")) {
            setPictureInPictureParams(pictureInPictureParams(inHearing))
        }
    }

    override fun onUserLeaveHint() {
        super.onUserLeaveHint()
        val inHearing = graph.app.screen.value is Screen.Hearing
        if (inHearing && Build.VERSION.SDK_INT < Build.VERSION_CODES.S && packageManager.hasSystemFeature("android.software.picture_in_picture")) {
            enterPictureInPictureMode(pictureInPictureParams(false))
        }
    }

    override fun onPictureInPictureModeChanged(isInPictureInPictureMode: Boolean, newConfig: Configuration) {
        super.onPictureInPictureModeChanged(isInPictureInPictureMode, newConfig)
        inPictureInPicture.value = isInPictureInPictureMode
    }

    override fun onDestroy() {
        smsConsent.stop()
        super.onDestroy()
    }
}
