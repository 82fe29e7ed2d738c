# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Every ROS participant the suite starts is confined to this machine's loopback."""

import os
from pathlib import Path
import socket
import xml.etree.ElementTree as ElementTree

NS = {'dds': 'http://www.eprosima.com'}


def test_discovery_is_localhost_only_with_a_private_domain():
    assert os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] == 'LOCALHOST'
    assert 'ROS_STATIC_PEERS' not in os.environ
    assert 0 <= int(os.environ['ROS_DOMAIN_ID']) <= 101


def test_fast_dds_transports_are_shared_memory_and_loopback_udp_only():
    profile = Path(os.environ['FASTDDS_DEFAULT_PROFILES_FILE'])
    root = ElementTree.parse(profile).getroot()
    participant = root.find('.//dds:participant[@is_default_profile="true"]', NS)
    assert participant.find('dds:rtps/dds:useBuiltinTransports', NS).text == 'false'
    used = {e.text for e in participant.findall('dds:rtps/dds:userTransports/dds:transport_id',
                                                NS)}
    for descriptor in root.findall('.//dds:transport_descriptor', NS):
        if descriptor.find('dds:transport_id', NS).text not in used:
            continue
        kind = descriptor.find('dds:type', NS).text
        assert kind in ('SHM', 'UDPv4'), kind
        if kind == 'UDPv4':
            addresses = [a.text for a in descriptor.findall('dds:interfaceWhiteList/dds:address',
                                                            NS)]
            assert addresses == ['127.0.0.1']


def test_network_namespace_has_only_loopback_when_the_runner_made_one():
    if os.environ.get('LITE_TRACKER_NETNS') != 'yes':
        import pytest
        pytest.skip('not started by scripts/test.sh as root: no network namespace to check')
    # socket.if_nameindex asks the kernel for this namespace's links (sysfs may show the host's)
    assert [name for _, name in socket.if_nameindex()] == ['lo']
