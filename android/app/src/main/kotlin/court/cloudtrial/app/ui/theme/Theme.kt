package court.cloudtrial.app.ui.theme

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color

val CourtBlue = Color(0xFF1F5FBF)
val CourtRed = Color(0xFFB3261E)

private val Light = lightColorScheme(
    primary = CourtBlue,
    onPrimary = Color.White,
    secondary = Color(0xFF4A5D7A),
    error = CourtRed,
    background = Color(0xFFF3F5F8),
    surface = Color.White,
)

private val Dark = darkColorScheme(
    primary = Color(0xFF9CC0FF),
    secondary = Color(0xFFB4C7E6),
    error = Color(0xFFFFB4AB),
)

@Composable
fun CloudTrialTheme(content: @Composable () -> Unit) {
    MaterialTheme(colorScheme = if (isSystemInDarkTheme()) Dark else Light, content = content)
}
