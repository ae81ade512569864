"""`java [-XshowSettings:properties] -version` in every format of protocols.md §6."""
# ruff: noqa: W291  (the real captures keep the launcher's trailing blanks: "java.class.path = ")

from __future__ import annotations

from pathlib import Path

import pytest

from clustercheck.parsers.java import (
    JavaInfo,
    java_version_tuple,
    parse_java_version,
    parse_properties_block,
)
from clustercheck.parsers.jdk_release import parse_release

# Real captures from this machine: Debian's OpenJDK 17 and Temurin 25, both with the block.
DEBIAN_17_PROPERTIES = """\
Property settings:
    file.encoding = UTF-8
    file.separator = /
    java.class.path = 
    java.class.version = 61.0
    java.home = /usr/lib/jvm/java-17-openjdk-amd64
    java.io.tmpdir = /tmp
    java.library.path = /usr/java/packages/lib
        /usr/lib/x86_64-linux-gnu/jni
        /lib/x86_64-linux-gnu
        /usr/lib/x86_64-linux-gnu
        /usr/lib/jni
        /lib
        /usr/lib
    java.runtime.name = OpenJDK Runtime Environment
    java.runtime.version = 17.0.15+6-Debian-1deb12u1
    java.specification.maintenance.version = 1
    java.specification.name = Java Platform API Specification
    java.specification.vendor = Oracle Corporation
    java.specification.version = 17
    java.vendor = Debian
    java.vendor.url = https://tracker.debian.org/openjdk-17
    java.vendor.url.bug = https://bugs.debian.org/openjdk-17
    java.version = 17.0.15
    java.version.date = 2025-04-15
    java.vm.compressedOopsMode = Zero based
    java.vm.info = mixed mode, sharing
    java.vm.name = OpenJDK 64-Bit Server VM
    java.vm.specification.name = Java Virtual Machine Specification
    java.vm.specification.vendor = Oracle Corporation
    java.vm.specification.version = 17
    java.vm.vendor = Debian
    java.vm.version = 17.0.15+6-Debian-1deb12u1
    jdk.debug = release
    line.separator = \\n 
    native.encoding = UTF-8
    os.arch = amd64
    os.name = Linux
    os.version = 6.18.44-fc-v595
    path.separator = :
    sun.arch.data.model = 64
    sun.boot.library.path = /usr/lib/jvm/java-17-openjdk-amd64/lib
    sun.cpu.endian = little
    sun.io.unicode.encoding = UnicodeLittle
    sun.java.launcher = SUN_STANDARD
    sun.jnu.encoding = UTF-8
    sun.management.compiler = HotSpot 64-Bit Tiered Compilers
    user.dir = /tmp
    user.home = /root
    user.language = en
    user.name = root

openjdk version "17.0.15" 2025-04-15
OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)
OpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)
"""

TEMURIN_25_PROPERTIES = """\
Property settings:
    file.encoding = UTF-8
    file.separator = /
    java.class.path = 
    java.class.version = 69.0
    java.home = /usr/lib/jvm/temurin-25-jdk-amd64
    java.io.tmpdir = /tmp
    java.library.path = /usr/java/packages/lib
        /usr/lib64
        /lib64
        /lib
        /usr/lib
    java.runtime.name = OpenJDK Runtime Environment
    java.runtime.version = 25.0.3+9-LTS
    java.specification.name = Java Platform API Specification
    java.specification.vendor = Oracle Corporation
    java.specification.version = 25
    java.vendor = Eclipse Adoptium
    java.vendor.url = https://adoptium.net/
    java.vendor.url.bug = https://github.com/adoptium/adoptium-support/issues
    java.vendor.version = Temurin-25.0.3+9
    java.version = 25.0.3
    java.version.date = 2026-04-21
    java.vm.compressedOopsMode = Zero based
    java.vm.info = mixed mode, sharing
    java.vm.name = OpenJDK 64-Bit Server VM
    java.vm.specification.name = Java Virtual Machine Specification
    java.vm.specification.vendor = Oracle Corporation
    java.vm.specification.version = 25
    java.vm.vendor = Eclipse Adoptium
    java.vm.version = 25.0.3+9-LTS
    jdk.debug = release
    line.separator = \\n 
    native.encoding = UTF-8
    os.arch = amd64
    os.name = Linux
    os.version = 6.18.44-fc-v595
    path.separator = :
    stderr.encoding = UTF-8
    stdin.encoding = UTF-8
    stdout.encoding = UTF-8
    sun.arch.data.model = 64
    sun.boot.library.path = /usr/lib/jvm/temurin-25-jdk-amd64/lib
    sun.cpu.endian = little
    sun.io.unicode.encoding = UnicodeLittle
    sun.java.launcher = SUN_STANDARD
    sun.jnu.encoding = UTF-8
    sun.management.compiler = HotSpot 64-Bit Tiered Compilers
    user.dir = /tmp
    user.home = /root
    user.language = en
    user.name = root

openjdk version "25.0.3" 2026-04-21 LTS
OpenJDK Runtime Environment Temurin-25.0.3+9 (build 25.0.3+9-LTS)
OpenJDK 64-Bit Server VM Temurin-25.0.3+9 (build 25.0.3+9-LTS, mixed mode, sharing)
"""

ZULU_8_WINDOWS = (
    "Property settings:\r\n"
    "    awt.toolkit = sun.awt.windows.WToolkit\r\n"
    "    file.encoding = Cp1252\r\n"
    "    file.separator = \\\r\n"
    "    java.home = C:\\Program Files\\Zulu\\zulu-8\\jre\r\n"
    "    java.library.path = C:\\Program Files\\Zulu\\zulu-8\\bin\r\n"
    "        C:\\Windows\\Sun\\Java\\bin\r\n"
    "        C:\\Windows\\system32\r\n"
    "    java.runtime.name = OpenJDK Runtime Environment\r\n"
    "    java.runtime.version = 1.8.0_402-b06\r\n"
    "    java.vendor = Azul Systems, Inc.\r\n"
    "    java.version = 1.8.0_402\r\n"
    "    java.vm.name = OpenJDK 64-Bit Server VM\r\n"
    "    java.vm.vendor = Azul Systems, Inc.\r\n"
    "    line.separator = \\r \\n \r\n"
    "    os.arch = amd64\r\n"
    "    os.name = Windows Server 2019\r\n"
    "    sun.arch.data.model = 64\r\n"
    "    user.dir = C:\\Users\\tomcat\r\n"
    "\r\n"
    'openjdk version "1.8.0_402"\r\n'
    "OpenJDK Runtime Environment (Zulu 8.76.0.17-CA-win64) (build 1.8.0_402-b06)\r\n"
    "OpenJDK 64-Bit Server VM (Zulu 8.76.0.17-CA-win64) (build 25.402-b06, mixed mode)\r\n"
)

ORACLE_GRAALVM_21_PROPERTIES = """\
Property settings:
    java.home = /opt/graalvm-jdk-21.0.2+13.1
    java.runtime.name = Java(TM) SE Runtime Environment
    java.runtime.version = 21.0.2+13-LTS-jvmci-23.1-b30
    java.vendor = Oracle Corporation
    java.vendor.version = Oracle GraalVM 21.0.2+13.1
    java.version = 21.0.2
    java.vm.name = Java HotSpot(TM) 64-Bit Server VM
    os.arch = aarch64

java version "21.0.2" 2024-01-16 LTS
Java(TM) SE Runtime Environment Oracle GraalVM 21.0.2+13.1 (build 21.0.2+13-LTS-jvmci-23.1-b30)
Java HotSpot(TM) 64-Bit Server VM Oracle GraalVM 21.0.2+13.1 (build 21.0.2+13-LTS-jvmci-23.1-b30, mixed mode, sharing)
"""  # noqa: E501

SUN_6_SEED = """\
[root@localhost ~]# java -version
java version "1.6.0_17"
OpenJDK Runtime Environment (IcedTea6 1.7.5) (rhel-1.16.b17.el5-i386)
OpenJDK Server VM (build 14.0-b16, mixed mode)  ##各TOMCAT主机JDK版本应尽量一致
"""

# (text, version, version_tuple, vendor, vm, bits, runtime, build)
CASES = [
    pytest.param(
        SUN_6_SEED, "1.6.0_17", (6, 0, 17), "IcedTea", "OpenJDK Server VM", 32,
        "OpenJDK Runtime Environment", "rhel-1.16.b17.el5-i386", id="seed-icedtea6-32bit",
    ),
    pytest.param(
        'java version "1.6.0_05"\n'
        "Java(TM) SE Runtime Environment (build 1.6.0_05-b13)\n"
        "Java HotSpot(TM) Client VM (build 10.0-b19, mixed mode)\n",
        "1.6.0_05", (6, 0, 5), "Sun", "Java HotSpot(TM) Client VM", 32,
        "Java(TM) SE Runtime Environment", "1.6.0_05-b13", id="sun-6-client",
    ),
    pytest.param(
        'java version "1.6.0_36"\n'
        "OpenJDK Runtime Environment (IcedTea6 1.13.8) (6b36-1.13.8-0ubuntu1~12.04)\n"
        "OpenJDK 64-Bit Server VM (build 23.25-b01, mixed mode)\n",
        "1.6.0_36", (6, 0, 36), "IcedTea", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "6b36-1.13.8-0ubuntu1~12.04", id="icedtea6-ubuntu",
    ),
    pytest.param(
        'java version "1.7.0_80"\n'
        "Java(TM) SE Runtime Environment (build 1.7.0_80-b15)\n"
        "Java HotSpot(TM) 64-Bit Server VM (build 24.80-b11, mixed mode)\n",
        "1.7.0_80", (7, 0, 80), "Oracle", "Java HotSpot(TM) 64-Bit Server VM", 64,
        "Java(TM) SE Runtime Environment", "1.7.0_80-b15", id="oracle-7",
    ),
    pytest.param(
        'java version "1.7.0_251"\n'
        "OpenJDK Runtime Environment (amzn-2.6.21.0.82.amzn1-x86_64 u251-b02)\n"
        "OpenJDK 64-Bit Server VM (build 24.251-b02, mixed mode)\n",
        "1.7.0_251", (7, 0, 251), "Amazon Linux", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "amzn-2.6.21.0.82.amzn1-x86_64 u251-b02",
        id="amazon-linux-7",
    ),
    pytest.param(
        'openjdk version "1.8.0_352"\n'
        "OpenJDK Runtime Environment (build 1.8.0_352-8u352-ga-1~22.04-b08)\n"
        "OpenJDK 64-Bit Server VM (build 25.352-b08, mixed mode)\n",
        "1.8.0_352", (8, 0, 352), "OpenJDK", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "1.8.0_352-8u352-ga-1~22.04-b08", id="ubuntu-8",
    ),
    pytest.param(
        'openjdk version "1.8.0_402"\n'
        "OpenJDK Runtime Environment (Temurin)(build 1.8.0_402-b06)\n"
        "OpenJDK 64-Bit Server VM (Temurin)(build 25.402-b06, mixed mode)\n",
        "1.8.0_402", (8, 0, 402), "Eclipse Adoptium", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "1.8.0_402-b06", id="temurin-8-no-space",
    ),
    pytest.param(
        'openjdk version "1.8.0_292"\n'
        "OpenJDK Runtime Environment (AdoptOpenJDK)(build 1.8.0_292-b10)\n"
        "Eclipse OpenJ9 VM (AdoptOpenJDK)(build openj9-0.26.0, JRE 1.8.0 Linux amd64-64-Bit"
        " Compressed References 20210421_1001 (JIT enabled, AOT enabled)\n"
        "OpenJ9   - b4cc246d9\n"
        "OMR      - 162e6f729\n"
        "JCL      - a8f1a7d4f1 based on jdk8u292-b10)\n",
        "1.8.0_292", (8, 0, 292), "AdoptOpenJDK", "Eclipse OpenJ9 VM", 64,
        "OpenJDK Runtime Environment", "1.8.0_292-b10", id="adoptopenjdk-8-openj9",
    ),
    pytest.param(
        ZULU_8_WINDOWS, "1.8.0_402", (8, 0, 402), "Azul Zulu", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "1.8.0_402-b06", id="zulu-8-windows-crlf-properties",
    ),
    pytest.param(
        'openjdk version "1.8.0_402"\n'
        "OpenJDK Runtime Environment Corretto-8.402.08.1 (build 1.8.0_402-b08)\n"
        "OpenJDK 64-Bit Server VM Corretto-8.402.08.1 (build 25.402-b08, mixed mode)\n",
        "1.8.0_402", (8, 0, 402), "Amazon Corretto", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "1.8.0_402-b08", id="corretto-8",
    ),
    pytest.param(
        'openjdk version "1.8.0_332"\n'
        "IBM Semeru Runtime Open Edition (build 1.8.0_332-b09)\n"
        "Eclipse OpenJ9 VM (build openj9-0.32.0, JRE 1.8.0 Linux amd64-64-Bit Compressed"
        " References 20220422_370 (JIT enabled, AOT enabled)\n"
        "OpenJ9   - 9a84ec34e\n"
        "OMR      - ab24b6666\n"
        "JCL      - 0b8b8af39a based on jdk8u332-b09)\n",
        "1.8.0_332", (8, 0, 332), "IBM Semeru", "Eclipse OpenJ9 VM", 64,
        "IBM Semeru Runtime Open Edition", "1.8.0_332-b09", id="semeru-8",
    ),
    pytest.param(
        'java version "1.8.0_191"\n'
        "Java(TM) SE Runtime Environment (build 8.0.5.27 - pxa6480sr5fp27-20190104_01(SR5 FP27))\n"
        "IBM J9 VM (build 2.9, JRE 1.8.0 Linux amd64-64-Bit Compressed References"
        " 20181219_405297 (JIT enabled, AOT enabled)\n"
        "OpenJ9   - 3f2d574\n"
        "OMR      - 109ba5b\n"
        "IBM      - e2996d1)\n"
        "JCL - 20190104_01 based on Oracle jdk8u191-b26\n",
        "1.8.0_191", (8, 0, 191), "IBM", "IBM J9 VM", 64, "Java(TM) SE Runtime Environment",
        "8.0.5.27 - pxa6480sr5fp27-20190104_01(SR5 FP27)", id="ibm-j9-8-64bit",
    ),
    pytest.param(
        'java version "1.7.0"\n'
        "Java(TM) SE Runtime Environment (build pwi3270sr9fp50-20160720_01(SR9fp50))\n"
        "IBM J9 VM (build 2.6, JRE 1.7.0 Windows Server 2012 x86-32 20160630_309948"
        " (JIT enabled, AOT enabled)\n"
        "J9VM - R26_Java726_SR9_20160630_1817_B309948\n"
        "JIT  - tr.r11_20160630_120374\n"
        "GC   - R26_Java726_SR9_20160630_1817_B309948\n"
        "J9CL - 20160630_309948)\n"
        "JCL - 20160719_01 based on Oracle jdk7u111-b13\n",
        "1.7.0", (7, 0, 0), "IBM", "IBM J9 VM", 32, "Java(TM) SE Runtime Environment",
        "pwi3270sr9fp50-20160720_01(SR9fp50)", id="ibm-j9-7-windows-32bit",
    ),
    pytest.param(
        'java version "1.6.0"\n'
        "Java(TM) SE Runtime Environment (build pxz3160_26sr9-20160624_01(SR9))\n"
        "IBM J9 VM (build 2.6, JRE 1.6.0 Linux s390-31 20160622_308726 (JIT enabled, AOT enabled)\n"
        "J9VM - R26_jvm.26_20160622_0305_B308726\n"
        "J9CL - 20160622_308726)\n"
        "JCL  - 20160620_01\n",
        "1.6.0", (6, 0, 0), "IBM", "IBM J9 VM", 32, "Java(TM) SE Runtime Environment",
        "pxz3160_26sr9-20160624_01(SR9)", id="ibm-j9-6-s390-31bit",
    ),
    pytest.param(
        'openjdk version "11.0.1" 2018-10-16\n'
        "OpenJDK Runtime Environment 18.9 (build 11.0.1+13)\n"
        "OpenJDK 64-Bit Server VM 18.9 (build 11.0.1+13, mixed mode)\n",
        "11.0.1", (11, 0, 1), "OpenJDK", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "11.0.1+13", id="openjdk-11-vendor-version-18.9",
    ),
    pytest.param(
        'openjdk version "11.0.22" 2024-01-16 LTS\n'
        "OpenJDK Runtime Environment Corretto-11.0.22.7.1 (build 11.0.22+7-LTS)\n"
        "OpenJDK 64-Bit Server VM Corretto-11.0.22.7.1 (build 11.0.22+7-LTS, mixed mode)\n",
        "11.0.22", (11, 0, 22), "Amazon Corretto", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "11.0.22+7-LTS", id="corretto-11-lts",
    ),
    pytest.param(
        DEBIAN_17_PROPERTIES, "17.0.15", (17, 0, 15), "Debian", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "17.0.15+6-Debian-1deb12u1", id="debian-17-properties",
    ),
    pytest.param(
        TEMURIN_25_PROPERTIES, "25.0.3", (25, 0, 3), "Eclipse Adoptium",
        "OpenJDK 64-Bit Server VM", 64, "OpenJDK Runtime Environment", "25.0.3+9-LTS",
        id="temurin-25-properties",
    ),
    pytest.param(
        'openjdk version "17.0.10" 2024-01-16\n'
        "OpenJDK Runtime Environment Temurin-17.0.10+7 (build 17.0.10+7)\n"
        "OpenJDK 64-Bit Server VM Temurin-17.0.10+7 (build 17.0.10+7, mixed mode, sharing)\n",
        "17.0.10", (17, 0, 10), "Eclipse Adoptium", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "17.0.10+7", id="temurin-17",
    ),
    pytest.param(
        'openjdk version "17.0.11" 2024-04-16 LTS\n'
        "OpenJDK Runtime Environment Zulu17.50+19-CA (build 17.0.11+9-LTS)\n"
        "OpenJDK 64-Bit Server VM Zulu17.50+19-CA (build 17.0.11+9-LTS, mixed mode, sharing)\n",
        "17.0.11", (17, 0, 11), "Azul Zulu", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "17.0.11+9-LTS", id="zulu-17",
    ),
    pytest.param(
        'openjdk version "17.0.10" 2024-01-16 LTS\n'
        "OpenJDK Runtime Environment (Red_Hat-17.0.10.0.7-1) (build 17.0.10+7-LTS)\n"
        "OpenJDK 64-Bit Server VM (Red_Hat-17.0.10.0.7-1) (build 17.0.10+7-LTS, mixed mode,"
        " sharing)\n",
        "17.0.10", (17, 0, 10), "Red Hat", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "17.0.10+7-LTS", id="red-hat-17",
    ),
    pytest.param(
        'openjdk version "17.0.6" 2023-01-17\n'
        "IBM Semeru Runtime Open Edition 17.0.6.0 (build 17.0.6+10)\n"
        "Eclipse OpenJ9 VM 17.0.6.0 (build openj9-0.36.0, JRE 17 Linux amd64-64-Bit Compressed"
        " References 20230117_000 (JIT enabled, AOT enabled)\n"
        "OpenJ9   - e68fb241f\n"
        "OMR      - 8d8ef5e3c\n"
        "JCL      - 1c6e2b3d1 based on jdk-17.0.6+10)\n",
        "17.0.6", (17, 0, 6), "IBM Semeru", "Eclipse OpenJ9 VM", 64,
        "IBM Semeru Runtime Open Edition", "17.0.6+10", id="semeru-17-multiline",
    ),
    pytest.param(
        "openjdk 21.0.2 2024-01-16\n"
        "OpenJDK Runtime Environment GraalVM CE 21.0.2+13.1 (build 21.0.2+13-jvmci-23.1-b30)\n"
        "OpenJDK 64-Bit Server VM GraalVM CE 21.0.2+13.1 (build 21.0.2+13-jvmci-23.1-b30, mixed"
        " mode, sharing)\n",
        "21.0.2", (21, 0, 2), "GraalVM", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "21.0.2+13-jvmci-23.1-b30", id="graalvm-ce-21-gnu-form",
    ),
    pytest.param(
        ORACLE_GRAALVM_21_PROPERTIES, "21.0.2", (21, 0, 2), "GraalVM",
        "Java HotSpot(TM) 64-Bit Server VM", 64, "Java(TM) SE Runtime Environment",
        "21.0.2+13-LTS-jvmci-23.1-b30", id="oracle-graalvm-21-properties",
    ),
    pytest.param(
        'java version "18.0.0.1" 2022-05-19\n'
        "Java(TM) SE Runtime Environment (build 18.0.0.1+2-9)\n"
        "Java HotSpot(TM) 64-Bit Server VM (build 18.0.0.1+2-9, mixed mode, sharing)\n",
        "18.0.0.1", (18, 0, 0, 1), "Oracle", "Java HotSpot(TM) 64-Bit Server VM", 64,
        "Java(TM) SE Runtime Environment", "18.0.0.1+2-9", id="oracle-18",
    ),
    pytest.param(
        'java version "1.8.0-zing_20.03.0.0"\n'
        "Zing Runtime Environment for Java Applications (build 1.8.0-zing_20.03.0.0-b1)\n"
        "Zing 64-Bit Tiered VM (build 1.8.0-zing_20.03.0.0-b1-product-linux-X86_64, mixed mode)\n",
        "1.8.0-zing_20.03.0.0", (8, 0, 0), "Azul Zing", "Zing 64-Bit Tiered VM", 64,
        "Zing Runtime Environment", "1.8.0-zing_20.03.0.0-b1", id="zing-8",
    ),
    pytest.param(
        'java version "15.0.8" 2022-08-04\n'
        "Java Runtime Environment Zing22.07.1.0+1 (build 15.0.8+4-MTS)\n"
        "Zing 64-Bit Tiered VM Zing22.07.1.0+1 (build 15.0.8-zing_22.07.1.0-b1-product-linux-"
        "X86_64, mixed mode)\n",
        "15.0.8", (15, 0, 8), "Azul Zing", "Zing 64-Bit Tiered VM", 64,
        "Java Runtime Environment", "15.0.8+4-MTS", id="zing-15",
    ),
    pytest.param(
        'openjdk version "13-ea" 2019-09-17\n'
        "OpenJDK Runtime Environment (build 13-ea+32)\n"
        "OpenJDK 64-Bit Server VM (build 13-ea+32, mixed mode, sharing)\n",
        "13-ea", (13, 0, 0), "OpenJDK", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "13-ea+32", id="early-access",
    ),
    pytest.param(
        'openjdk version "1.8.0_111-internal"\n'
        "OpenJDK Runtime Environment (build 1.8.0_111-internal-alpine-r0-b14)\n"
        "OpenJDK 64-Bit Server VM (build 25.111-b14, mixed mode)\n",
        "1.8.0_111-internal", (8, 0, 111), "OpenJDK", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "1.8.0_111-internal-alpine-r0-b14", id="internal-suffix",
    ),
    pytest.param(
        'openjdk version "1.8.0_201-ojdkbuild"\n'
        "OpenJDK Runtime Environment (build 1.8.0_201-ojdkbuild-09)\n"
        "OpenJDK 64-Bit Server VM (build 25.201-b09, mixed mode)\n",
        "1.8.0_201-ojdkbuild", (8, 0, 201), "OpenJDK", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "1.8.0_201-ojdkbuild-09", id="ojdkbuild-suffix",
    ),
    pytest.param(
        "Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF-8\n"
        "Picked up _JAVA_OPTIONS: -Djava.net.preferIPv4Stack=true\n"
        "NOTE: Picked up JDK_JAVA_OPTIONS: --add-opens=java.base/java.lang=ALL-UNNAMED\n"
        'openjdk version "11.0.22" 2024-01-16\n'
        "OpenJDK Runtime Environment (build 11.0.22+7-post-Debian-1deb11u1)\n"
        "OpenJDK 64-Bit Server VM (build 11.0.22+7-post-Debian-1deb11u1, mixed mode, sharing)\n",
        "11.0.22", (11, 0, 22), "Debian", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "11.0.22+7-post-Debian-1deb11u1", id="picked-up-lines",
    ),
    pytest.param(
        "[0.004s][warning][perf,memops] Cannot use file /tmp/hsperfdata_root/4242 because it is"
        " locked by another process (errno = 11)\n"
        'openjdk version "17.0.15" 2025-04-15\n'
        "OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)\n"
        "OpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)\n",
        "17.0.15", (17, 0, 15), "Debian", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "17.0.15+6-Debian-1deb12u1", id="hsperfdata-warning-first",
    ),
    pytest.param(
        "OpenJDK 64-Bit Server VM warning: Options -Xverify:none and -noverify were deprecated in"
        " JDK 13 and will likely be removed in a future release.\n"
        'openjdk version "17.0.9" 2023-10-17\n'
        "OpenJDK Runtime Environment (build 17.0.9+9-Ubuntu-122.04)\n"
        "OpenJDK 64-Bit Server VM (build 17.0.9+9-Ubuntu-122.04, mixed mode, sharing)\n",
        "17.0.9", (17, 0, 9), "Ubuntu", "OpenJDK 64-Bit Server VM", 64,
        "OpenJDK Runtime Environment", "17.0.9+9-Ubuntu-122.04", id="vm-warning-first",
    ),
    pytest.param(
        'java version "1.8.0"\n'
        "Java(TM) SE Runtime Environment (build pxr3280sr3-20160318_02(SR3))\n"
        "IBM J9 VM (build 2.9, JRE 1.8.0 Linux arm-32 20160318_295683 (JIT enabled, AOT enabled)\n"
        "J9VM - R829_20160318_0616_B295683 (Pure C)\n"
        "J9CL - 20160318_295683)\n"
        "JCL - 20151231_01 based on Oracle jdk8u71-b15\n",
        "1.8.0", (8, 0, 0), "IBM", "IBM J9 VM", 32, "Java(TM) SE Runtime Environment",
        "pxr3280sr3-20160318_02(SR3)", id="ibm-j9-8-arm-32bit",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "version", "numbers", "vendor", "vm", "bits", "runtime", "build"), CASES
)
def test_parse_java_version(
    text: str,
    version: str,
    numbers: tuple[int, ...],
    vendor: str,
    vm: str,
    bits: int,
    runtime: str,
    build: str,
) -> None:
    info = parse_java_version(text)
    assert info is not None
    assert (info.version, info.version_tuple, info.vendor, info.vm, info.bits) == (
        version, numbers, vendor, vm, bits,
    )  # fmt: skip
    assert (info.runtime, info.build) == (runtime, build)
    assert info.raw == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "bash: java: command not found\n",
        "Unrecognized option: -XshowSettings:properties\n"
        "Error: Could not create the Java Virtual Machine.\n"
        "Error: A fatal exception has occurred. Program will exit.\n",
        'Picked up JAVA_TOOL_OPTIONS: -Dversion="1.2"\n',  # a quoted version in a skipped line
        "\x00\xff garbage \x1b[31m\n",
    ],
)
def test_no_version_gives_none(text: str) -> None:
    assert parse_java_version(text) is None


def test_java_home_only_from_the_properties_block() -> None:
    assert _parse(DEBIAN_17_PROPERTIES).java_home == "/usr/lib/jvm/java-17-openjdk-amd64"
    assert _parse(ZULU_8_WINDOWS).java_home == "C:\\Program Files\\Zulu\\zulu-8\\jre"
    assert _parse(SUN_6_SEED).java_home is None


def test_properties_win_over_the_version_lines() -> None:
    """An exact vendor beats the guess from the lines: Sun's own Java 6 said so itself."""
    text = (
        "Property settings:\n"
        "    java.vendor = Sun Microsystems Inc.\n"
        "    java.version = 1.6.0_45\n"
        "    sun.arch.data.model = 32\n"
        "\n"
        'java version "1.6.0_45"\n'
        "Java(TM) SE Runtime Environment (build 1.6.0_45-b06)\n"
        "Java HotSpot(TM) 64-Bit Server VM (build 20.45-b01, mixed mode)\n"
    )
    info = _parse(text)
    assert (info.vendor, info.bits) == ("Sun", 32)


def test_the_block_alone_is_enough() -> None:
    """Output cut after the block (a timeout) still names the JVM; os.arch gives the bitness."""
    text = (
        "Property settings:\n"
        "    java.home = /opt/java\n"
        "    java.vendor = BellSoft\n"
        "    java.version = 21.0.3\n"
        "    os.arch = x86\n"
    )
    info = _parse(text)
    assert (info.version, info.vendor, info.bits, info.vm) == (
        "21.0.3",
        "BellSoft Liberica",
        32,
        None,
    )


def test_unknown_vendor_property_is_kept() -> None:
    text = "Property settings:\n    java.vendor = Example Builds Ltd\n    java.version = 17.0.1\n"
    assert _parse(text).vendor == "Example Builds Ltd"


def test_properties_block_keys_values_and_path_continuations() -> None:
    props = parse_properties_block(DEBIAN_17_PROPERTIES)
    assert props["java.class.path"] == ""
    assert props["java.library.path"] == "/usr/java/packages/lib"
    assert props["line.separator"] == "\\n"
    assert "/usr/lib/jni" not in props
    assert "openjdk version" not in " ".join(props)


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.6.0_17", (6, 0, 17)),
        ("1.8.0_392", (8, 0, 392)),
        ("1.8.0", (8, 0, 0)),
        ("17.0.9", (17, 0, 9)),
        ("11", (11, 0, 0)),
        ("9.0.4+11", (9, 0, 4)),
        ("13-ea", (13, 0, 0)),
        ("1.8.0_111-internal", (8, 0, 111)),
        ("11.0.7.0.101", (11, 0, 7, 0, 101)),
        ("ea", None),
        ("", None),
        (None, None),
    ],
)
def test_java_version_tuple(version: str | None, expected: tuple[int, ...] | None) -> None:
    assert java_version_tuple(version) == expected


def _parse(text: str) -> JavaInfo:
    info = parse_java_version(text)
    assert info is not None
    return info


@pytest.mark.parametrize(
    ("release", "launcher"),
    [("debian-17", DEBIAN_17_PROPERTIES), ("temurin-25", TEMURIN_25_PROPERTIES)],
)
def test_a_release_file_says_what_its_launcher_says(release: str, launcher: str) -> None:
    """The same two JDKs of this machine, read from their release files (tests/fixtures/
    jdk-release/): CC301 compares nodes read either way."""
    text = Path(__file__).parent.parent / "fixtures" / "jdk-release" / f"{release}.release"
    released, printed = parse_release(text.read_text(), "/j"), parse_java_version(launcher)
    assert isinstance(released, JavaInfo) and printed is not None
    for field in ("version", "version_tuple", "vendor", "bits", "build"):
        assert getattr(released, field) == getattr(printed, field), field
