package court.cloudtrial.app.android.platform

import android.content.Context
import android.net.ConnectivityManager
import android.net.Network

/**
 * Tells the core when the phone moves to another network (Wi-Fi → 4G and
 * back), so the room and the media reconnect at once instead of waiting for
 * the old path to time out.
 */
class NetworkMonitor(context: Context, private val onChanged: () -> Unit) {
    private val connectivity = context.getSystemService(ConnectivityManager::class.java)
    private var current: Network? = null
    private var registered = false
    private var first = true

    private val callback = object : ConnectivityManager.NetworkCallback() {
        override fun onAvailable(network: Network) {
            val previous = current
            current = network
            // The first call reports the network the phone is on already.
            if (first) {
                first = false
                return
            }
            if (previous != network) onChanged()
        }

        override fun onLost(network: Network) {
            if (network == current) current = null
        }
    }

    fun start() {
        if (registered) return
        registered = true
        connectivity.registerDefaultNetworkCallback(callback)
    }

    fun stop() {
        if (!registered) return
        registered = false
        connectivity.unregisterNetworkCallback(callback)
    }
}
