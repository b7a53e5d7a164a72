# Sourced by the checks that compile Kotlin for the JVM: installs kotlinc from
# npm into .tools/kotlin (ignored by git) the first time, and sets kotlin_home,
# stdlib and coroutines.
#
#   kotlin_install ROOT

kotlin_install() {
  local tools="$1/.tools/kotlin"
  kotlin_home="$tools/node_modules/kotlin-compiler"
  if [ ! -x "$kotlin_home/bin/kotlinc" ]; then
    echo "installing kotlinc from npm into $tools"
    npm install --prefix "$tools" --no-audit --no-fund --loglevel=error kotlin-compiler@2.4.20
  fi
  stdlib="$kotlin_home/lib/kotlin-stdlib.jar"
  coroutines="$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
}
