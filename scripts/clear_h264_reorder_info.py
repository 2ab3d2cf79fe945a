#!/usr/bin/env python3
"""Clears bitstream_restriction_flag in the SPS of a Matroska file's H.264 CodecPrivate (avcC).

Some cameras and hardware encoders omit that optional VUI field, which is the only place H.264
states its reordering depth; x264 always writes it. The fixture made with this lets the tests
check that probing still finds the real depth (by decoding) and that a remux keeps decode
timestamps increasing (fixtures/make_fixtures.sh makes h264_no_reorder_info.mkv with it).
Usage: scripts/clear_h264_reorder_info.py IN.mkv OUT.mkv

Only what x264 writes is handled (pic_order_cnt_type 0, VUI with timing info, no HRD); anything
else stops with an error rather than writing a wrong file. The edited SPS is never longer than
the original; it is padded with zero bytes (trailing_zero_8bits) to keep every size unchanged.
"""
import sys

HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


def unescape(payload):
    out, zeros = bytearray(), 0
    for byte in payload:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def escape(rbsp):
    out, zeros = bytearray(), 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


class Bits:
    def __init__(self, data):
        self.bits = "".join(f"{b:08b}" for b in data)
        self.pos = 0

    def u(self, n):
        value = int(self.bits[self.pos:self.pos + n], 2) if n else 0
        self.pos += n
        return value

    def ue(self):
        zeros = 0
        while self.bits[self.pos] == "0":
            zeros += 1
            self.pos += 1
        self.pos += 1
        return (1 << zeros) - 1 + self.u(zeros)


def restriction_flag_position(sps_rbsp):
    r = Bits(sps_rbsp)
    profile = r.u(8)
    r.u(16)  # constraint flags, level
    r.ue()  # seq_parameter_set_id
    if profile in HIGH_PROFILES:
        if r.ue() == 3:  # chroma_format_idc
            r.u(1)
        r.ue(), r.ue(), r.u(1)  # bit depths, qpprime_y_zero_transform_bypass_flag
        if r.u(1):
            sys.exit("scaling matrices are not handled")
    r.ue()  # log2_max_frame_num_minus4
    if r.ue() != 0:
        sys.exit("only pic_order_cnt_type 0 is handled")
    r.ue()  # log2_max_pic_order_cnt_lsb_minus4
    r.ue(), r.u(1), r.ue(), r.ue()  # max_num_ref_frames, gaps, width, height
    if r.u(1) == 0:  # frame_mbs_only_flag
        r.u(1)
    r.u(1)  # direct_8x8_inference_flag
    if r.u(1):  # frame_cropping_flag
        r.ue(), r.ue(), r.ue(), r.ue()
    if r.u(1) != 1:
        sys.exit("the SPS has no VUI")
    if r.u(1) and r.u(8) == 255:  # aspect_ratio_info_present_flag, aspect_ratio_idc
        r.u(32)
    if r.u(1):  # overscan_info_present_flag
        r.u(1)
    if r.u(1):  # video_signal_type_present_flag
        r.u(4)
        if r.u(1):
            r.u(24)
    if r.u(1):  # chroma_loc_info_present_flag
        r.ue(), r.ue()
    if r.u(1):  # timing_info_present_flag
        r.u(65)
    if r.u(1) or r.u(1):  # nal_hrd, vcl_hrd
        sys.exit("HRD parameters are not handled")
    r.u(1)  # pic_struct_present_flag
    if r.bits[r.pos] != "1":
        sys.exit("bitstream_restriction_flag is already 0")
    return r.bits, r.pos


def main(source, target):
    data = bytearray(open(source, "rb").read())
    at = data.find(bytes([0x63, 0xA2]))  # Matroska CodecPrivate
    if at < 0 or data[at + 2] & 0x80 == 0:
        sys.exit("no one-byte-size CodecPrivate found")
    avcc = at + 3
    if data[avcc] != 1 or data[avcc + 5] & 0x1F != 1:
        sys.exit("CodecPrivate is not an avcC with one SPS")
    offset = avcc + 6
    length = int.from_bytes(data[offset:offset + 2], "big")
    offset += 2
    nal = bytes(data[offset:offset + length])
    bits, pos = restriction_flag_position(unescape(nal[1:]))
    edited = bits[:pos] + "0" + "1"  # flag cleared, rbsp_stop_one_bit
    edited += "0" * (-len(edited) % 8)
    rbsp = bytes(int(edited[k:k + 8], 2) for k in range(0, len(edited), 8))
    new_nal = nal[:1] + escape(rbsp)
    if len(new_nal) > length:
        sys.exit("the edited SPS would be longer")
    data[offset:offset + length] = new_nal + bytes(length - len(new_nal))
    open(target, "wb").write(data)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
