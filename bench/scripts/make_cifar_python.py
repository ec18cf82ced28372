"""Turns a CIFAR-10 binary folder (e.g. from `vecml data synth --like cifar10`) into
cifar-10-python.tar.gz with the Python 2 cPickle protocol-2 byte layout of the official file
(numpy.core.multiarray._reconstruct, one BINSTRING of pixels), for the loading benchmark.
Usage: make_cifar_python.py BIN_DIR OUT.tar.gz"""
import io, struct, sys, tarfile, time
import numpy as np

def sbs(s):  # SHORT_BINSTRING
    b = s.encode('latin1'); return b'U' + bytes([len(b)]) + b

class W:
    def __init__(self): self.out = io.BytesIO(); self.memo = 1
    def w(self, b): self.out.write(b); return self
    def put(self):
        m = self.memo; self.memo += 1
        return self.w(b'q' + bytes([m]) if m < 256 else b'r' + struct.pack('<I', m))
    def int(self, v):
        if 0 <= v <= 0xff: return self.w(b'K' + bytes([v]))
        if 0 <= v <= 0xffff: return self.w(b'M' + struct.pack('<H', v))
        return self.w(b'J' + struct.pack('<i', v))

def batch(label, labels, pixels, files):
    n = len(labels)
    w = W(); w.w(b'\x80\x02}').put().w(b'(')
    w.w(sbs('data')).put()
    w.w(b'cnumpy.core.multiarray\n_reconstruct\n').put().w(b'cnumpy\nndarray\n').put()
    w.int(0).w(b'\x85').w(sbs('b')).w(b'\x87R').put()
    w.w(b'(').int(1).int(n).int(3072).w(b'\x86').w(b'cnumpy\ndtype\n').put()
    w.w(sbs('u1')).int(0).int(1).w(b'\x87R').put()
    w.w(b'(').int(3).w(sbs('|')).w(b'NNN').int(-1).int(-1).int(0).w(b'tb')
    w.w(b'\x89T' + struct.pack('<i', len(pixels))).w(pixels).w(b'tb')
    w.w(sbs('labels')).put().w(b']').put()
    for i in range(0, n, 1000):
        w.w(b'(')
        for v in labels[i:i+1000]: w.int(int(v))
        w.w(b'e')
    w.w(sbs('batch_label')).put().w(sbs(label)).put()
    w.w(sbs('filenames')).put().w(b']').put()
    for i in range(0, n, 1000):
        w.w(b'(')
        for f in files[i:i+1000]: w.w(sbs(f)).put()
        w.w(b'e')
    w.w(b'u.')
    return w.out.getvalue()

def main(bin_dir, path):
    names = [l.strip() for l in open(bin_dir + '/batches.meta.txt') if l.strip()]
    meta = W(); meta.w(b'\x80\x02}').put().w(b'(').w(sbs('num_cases_per_batch')).put().int(10000)
    meta.w(sbs('label_names')).put().w(b']').put().w(b'(')
    for s in names: meta.w(sbs(s)).put()
    meta.w(b'e').w(sbs('num_vis')).put().int(3072).w(b'u.')
    members = [('batches.meta', meta.out.getvalue())]
    for k, name in enumerate(['data_batch_%d' % i for i in range(1, 6)] + ['test_batch']):
        rec = np.fromfile(bin_dir + '/' + name + '.bin', dtype=np.uint8).reshape(-1, 3073)
        labels, px = rec[:, 0], np.ascontiguousarray(rec[:, 1:])
        n = len(labels)
        files = ['synthetic_%05d_%d.png' % (i, k) for i in range(n)]
        label = 'testing batch 1 of 1' if name == 'test_batch' else 'training batch %d of 5' % (k + 1)
        members.append((name, batch(label, labels.tolist(), px.tobytes(), files)))
    members.append(('readme.html', b'<html>synthetic</html>'))
    with tarfile.open(path, 'w:gz') as t:
        for name, b in members:
            ti = tarfile.TarInfo('cifar-10-batches-py/' + name); ti.size = len(b); ti.mtime = 0
            t.addfile(ti, io.BytesIO(b))
    d = __import__('pickle').loads(members[1][1], encoding='latin1')
    assert d['data'].dtype == np.uint8 and d['data'].shape[1] == 3072 and len(d['labels']) == d['data'].shape[0]

if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
