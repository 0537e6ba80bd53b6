"""Java, Kotlin and Scala builds: Maven, Gradle, sbt and Ant.

Gradle build scripts are code run by every build, so they are `packaging-build`; the version
catalog only lists dependencies, so it is a manifest. The wrappers (`gradlew`, `mvnw` and the
jars and properties beside them) decide which build tool is downloaded and run.
"""

from __future__ import annotations

from signoff.classify.rules import RuleClassifier, specific
from signoff.taxonomy import FileClass


class JVM(RuleClassifier):
    ident = "jvm"
    desc = "Maven pom.xml, Gradle scripts, wrappers, version catalogs and lockfiles, sbt, Ant"
    rules = (
        specific(
            FileClass.DEPENDENCY_MANIFEST,
            ("pom.xml", "Maven project: dependencies and plugins"),
            ("*.versions.toml", "Gradle version catalog"),
            ("ivy.xml", "Ivy dependencies"),
        )
        + specific(
            FileClass.LOCKFILE,
            ("gradle.lockfile", "Gradle dependency lock"),
            ("*.lockfile", "Gradle dependency lock"),
            ("**/gradle/verification-metadata.xml", "Gradle dependency checksums"),
        )
        + specific(
            FileClass.PACKAGING_BUILD,
            ("*.gradle", "Gradle build script (code run at build)"),
            ("*.gradle.kts", "Gradle Kotlin build script (code run at build)"),
            ("gradle.properties", "Gradle build properties"),
            ("**/gradle/wrapper/", "Gradle wrapper: which Gradle every build downloads and runs"),
            ("gradlew", "Gradle wrapper script"),
            ("gradlew.bat", "Gradle wrapper script"),
            ("buildSrc/", "Gradle build logic"),
            ("mvnw", "Maven wrapper script"),
            ("mvnw.cmd", "Maven wrapper script"),
            (".mvn/", "Maven wrapper and extensions"),
            ("build.sbt", "sbt build"),
            ("project/*.sbt", "sbt plugins"),
            ("build.xml", "Ant build"),
        )
    )
