package court.cloudtrial.app.presenters

import court.cloudtrial.app.errors.userMessage
import court.cloudtrial.app.services.DeviceTester
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlin.math.log10
import kotlin.math.sqrt

enum class CheckStatus { CHECKING, WORKING, FAILED }

data class SelfTestState(
    val camera: CheckStatus = CheckStatus.CHECKING,
    val cameraError: String? = null,
    val microphone: CheckStatus = CheckStatus.CHECKING,
    val microphoneError: String? = null,
    /** 0..1 for the level bar. */
    val microphoneLevel: Float = 0f,
    val speakerPlaying: Boolean = false,
    /** The user said they heard the test sound (null: not asked yet). */
    val speakerHeard: Boolean? = null,
) {
    /** A party may always enter (the judge can hear them say a device fails); this says whether all is well. */
    val allWorking: Boolean
        get() = camera == CheckStatus.WORKING && microphone == CheckStatus.WORKING && speakerHeard == true
}

/** Level of 16-bit PCM in 0..1, on a dB scale from -60 dBFS (0) to 0 dBFS (1). */
fun pcmLevel(pcm: ByteArray): Float {
    if (pcm.size < 2) return 0f
    var sum = 0.0
    val n = pcm.size / 2
    for (i in 0 until n) {
        val sample = (pcm[2 * i].toInt() and 0xff) or (pcm[2 * i + 1].toInt() shl 8)
        sum += sample.toDouble() * sample
    }
    val rms = sqrt(sum / n) / 32768.0
    if (rms <= 0.0) return 0f
    val db = 20 * log10(rms)
    return ((db + 60) / 60).toFloat().coerceIn(0f, 1f)
}

/**
 * 设备检测 before entering, as on the PC: the camera delivers frames, the
 * microphone hears the user (the level moves above the room's quiet), and the
 * user confirms they heard the test sound.
 */
class SelfTestPresenter(private val devices: DeviceTester, private val scope: CoroutineScope) {
    private val mutable = MutableStateFlow(SelfTestState())
    val state: StateFlow<SelfTestState> = mutable.asStateFlow()
    private val jobs = mutableListOf<Job>()

    /** A voice is this far above silence (about -40 dBFS). */
    private val speakingLevel = 0.33f

    fun start() {
        stop()
        mutable.value = SelfTestState()
        jobs += scope.launch {
            try {
                devices.cameraFrames().collect { count ->
                    if (count > 0 && state.value.camera != CheckStatus.WORKING) mutable.update { it.copy(camera = CheckStatus.WORKING) }
                }
            } catch (e: Exception) {
                mutable.update { it.copy(camera = CheckStatus.FAILED, cameraError = e.userMessage()) }
            }
        }
        jobs += scope.launch {
            try {
                devices.microphone().collect { pcm ->
                    val level = pcmLevel(pcm)
                    mutable.update {
                        it.copy(
                            microphoneLevel = level,
                            microphone = if (level >= speakingLevel) CheckStatus.WORKING else it.microphone,
                        )
                    }
                }
            } catch (e: Exception) {
                mutable.update { it.copy(microphone = CheckStatus.FAILED, microphoneError = e.userMessage()) }
            }
        }
    }

    /** 播放测试声音 */
    fun playTestSound() {
        if (state.value.speakerPlaying) return
        mutable.update { it.copy(speakerPlaying = true, speakerHeard = null) }
        jobs += scope.launch {
            try {
                devices.playTestSound()
            } finally {
                mutable.update { it.copy(speakerPlaying = false) }
            }
        }
    }

    /** 能听到 / 听不到 */
    fun confirmSpeaker(heard: Boolean) = mutable.update { it.copy(speakerHeard = heard) }

    fun stop() {
        jobs.forEach { it.cancel() }
        jobs.clear()
    }
}
