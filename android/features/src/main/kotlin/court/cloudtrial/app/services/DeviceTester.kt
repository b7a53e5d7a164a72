package court.cloudtrial.app.services

import kotlinx.coroutines.flow.Flow

/**
 * The phone's camera, microphone and speaker for the self-test before
 * entering (庭审开始前请提前测试声音、图像等各项功能). The platform implements
 * it (CameraX, AudioRecord, AudioTrack); the camera preview itself is drawn
 * by the view.
 */
interface DeviceTester {
    /** Frames the camera delivered so far: grows while the camera works. Fails with AppError.Media if it cannot open. */
    fun cameraFrames(): Flow<Long>

    /** Microphone PCM (48 kHz mono, 16-bit little-endian) in 20 ms frames while collected. */
    fun microphone(): Flow<ByteArray>

    /** Plays the test sound through the current output (speaker or headset) until it ends. */
    suspend fun playTestSound()
}
