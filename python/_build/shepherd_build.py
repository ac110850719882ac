"""A PEP 517 build backend of the standard library alone: it packs the ``shepherd`` package into a wheel.

It lets ``pip install --no-build-isolation ./python`` work offline in any venv that has pip, with no setuptools or
wheel package installed (Debian's venvs have no ``wheel``).
"""

import base64
import hashlib
import os
import zipfile

NAME = "shepherd_client"
VERSION = "0.1.0"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

METADATA = """Metadata-Version: 2.1
Name: shepherd-client
Version: {version}
Summary: Python client of Shepherd's HTTP API: run and watch the nodes of a distributed data-acquisition system
License: Apache-2.0
Requires-Python: >=3.9
""".format(version=VERSION)

WHEEL = """Wheel-Version: 1.0
Generator: shepherd_build
Root-Is-Purelib: true
Tag: py3-none-any
"""


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def _files():
    package = os.path.join(HERE, "shepherd")
    for name in sorted(os.listdir(package)):
        if name.endswith(".py"):
            yield os.path.join(package, name), "shepherd/" + name


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return "%s,sha256=%s,%d" % (arcname, digest, len(data))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    filename = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, arcname in _files():
            with open(path, "rb") as f:
                data = f.read()
            wheel.writestr(arcname, data)
            records.append(_record_line(arcname, data))
        for name, text in (("METADATA", METADATA), ("WHEEL", WHEEL)):
            arcname = dist_info + "/" + name
            wheel.writestr(arcname, text)
            records.append(_record_line(arcname, text.encode("utf-8")))
        records.append(dist_info + "/RECORD,,")
        wheel.writestr(dist_info + "/RECORD", "\n".join(records) + "\n")
    return filename


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    os.makedirs(os.path.join(metadata_directory, dist_info), exist_ok=True)
    for name, text in (("METADATA", METADATA), ("WHEEL", WHEEL)):
        with open(os.path.join(metadata_directory, dist_info, name), "w") as f:
            f.write(text)
    return dist_info
