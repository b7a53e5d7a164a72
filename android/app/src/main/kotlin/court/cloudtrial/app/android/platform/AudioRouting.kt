package court.cloudtrial.app.android.platform

import android.content.Context
import android.media.AudioAttributes
import android.media.AudioDeviceCallback
import android.media.AudioDeviceInfo
import android.media.AudioFocusRequest
import android.media.AudioManager
import android.os.Build
import android.os.Handler
import android.os.Looper

/**
 * The voice-communication audio mode and where the sound goes: a Bluetooth
 * headset when one is connected, else a wired or USB headset, else the
 * loudspeaker (the phone stands on the table during a video hearing). Follows
 * headsets being plugged in and out. Holds audio focus meanwhile, so music
 * and other apps' sound stop for the hearing.
 */
class AudioRouting(context: Context) {
    private val audio = context.getSystemService(AudioManager::class.java)
    private val handler = Handler(Looper.getMainLooper())
    private var previousMode = AudioManager.MODE_NORMAL
    private var started = false
    private val focus = AudioFocusRequest.Builder(AudioManager.AUDIOFOCUS_GAIN)
        .setAudioAttributes(
            AudioAttributes.Builder()
                .setUsage(AudioAttributes.USAGE_VOICE_COMMUNICATION)
                .setContentType(AudioAttributes.CONTENT_TYPE_SPEECH)
                .build(),
        )
        .build()

    private val devices = object : AudioDeviceCallback() {
        override fun onAudioDevicesAdded(added: Array<out AudioDeviceInfo>) = route()
        override fun onAudioDevicesRemoved(removed: Array<out AudioDeviceInfo>) = route()
    }

    fun start() {
        if (started) return
        started = true
        previousMode = audio.mode
        audio.requestAudioFocus(focus)
        audio.mode = AudioManager.MODE_IN_COMMUNICATION
        audio.registerAudioDeviceCallback(devices, handler)
        route()
    }

    private fun route() {
        if (!started) return
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) {
            val available = audio.availableCommunicationDevices
            val choice = PREFERENCE.firstNotNullOfOrNull { type -> available.firstOrNull { it.type == type } }
            if (choice != null) audio.setCommunicationDevice(choice) else audio.clearCommunicationDevice()
        } else {
            @Suppress("DEPRECATION")
            routeBeforeS()
        }
    }

    @Suppress("DEPRECATION")
    private fun routeBeforeS() {
        val outputs = audio.getDevices(AudioManager.GET_DEVICES_OUTPUTS).map { it.type }.toSet()
        when {
            AudioDeviceInfo.TYPE_BLUETOOTH_SCO in outputs -> {
                audio.isSpeakerphoneOn = false
                audio.startBluetoothSco()
                audio.isBluetoothScoOn = true
            }
            outputs.any { it in WIRED } -> {
                audio.stopBluetoothScoIfOn()
                audio.isSpeakerphoneOn = false
            }
            else -> {
                audio.stopBluetoothScoIfOn()
                audio.isSpeakerphoneOn = true
            }
        }
    }

    @Suppress("DEPRECATION")
    private fun AudioManager.stopBluetoothScoIfOn() {
        if (isBluetoothScoOn) {
            isBluetoothScoOn = false
            stopBluetoothSco()
        }
    }

    fun stop() {
        if (!started) return
        started = false
        audio.unregisterAudioDeviceCallback(devices)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) {
            audio.clearCommunicationDevice()
        } else {
            @Suppress("DEPRECATION")
            audio.isSpeakerphoneOn = false
            audio.stopBluetoothScoIfOn()
        }
        audio.mode = previousMode
        audio.abandonAudioFocusRequest(focus)
    }

    private companion object {
        val WIRED = setOf(AudioDeviceInfo.TYPE_WIRED_HEADSET, AudioDeviceInfo.TYPE_WIRED_HEADPHONES, AudioDeviceInfo.TYPE_USB_HEADSET)
        val PREFERENCE = listOf(
            AudioDeviceInfo.TYPE_BLUETOOTH_SCO,
            AudioDeviceInfo.TYPE_BLE_HEADSET,
            AudioDeviceInfo.TYPE_WIRED_HEADSET,
            AudioDeviceInfo.TYPE_USB_HEADSET,
            AudioDeviceInfo.TYPE_WIRED_HEADPHONES,
            AudioDeviceInfo.TYPE_BUILTIN_SPEAKER,
        )
    }
}
