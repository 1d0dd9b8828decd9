#!/usr/bin/python3
"""Every operation of networking-bgpvpn's Horizon panels, in headless
Chromium, each result checked through the API (for scripts/it/keystone.sh).

Admin > Network > BGPVPN Interconnections, as admin: list, create (one
for project admin, one for project demo), edit (name and route targets),
associate a network and a router, disassociate both, delete. Project >
Network > BGPVPN Interconnections, as demo: list, edit the name, associate
a network and a router, disassociate both. The admin panel's router form
lists the routers of the admin's own project only (networking-bgpvpn 17's
workflow drops the BGPVPN's project from its context), so the admin works
in project admin (Horizon's project switch) on the admin project's BGPVPN. The browser part reuses the lab's
bin/horizon_smoke.py (selenium + chromedriver); the API checks use the
openstack CLI with the stage's clouds.yaml (OS_CLIENT_CONFIG_FILE).

Prints "ok NAME" / "FAIL NAME: why" per check; exit status 0 when all passed.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import traceback

LAB_BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       '../../../../shared/tools/openstack-lab/bin')
sys.path.insert(0, os.environ.get('LAB_BIN', LAB_BIN))
from horizon_smoke import Run  # noqa: E402  (the lab's browser driver)
from selenium.webdriver.common.by import By  # noqa: E402

RESULTS = []


def check(name, ok, detail=''):
    RESULTS.append(bool(ok))
    print('%s %s%s' % ('ok  ' if ok else 'FAIL', name,
                       '' if ok else ': ' + str(detail)[:400]), flush=True)
    return ok


def osc(cloud, *args):
    p = subprocess.run(['/usr/bin/openstack', '--os-cloud', cloud] + list(args),
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def api(cloud, *args):
    rc, out = osc(cloud, *(list(args) + ['-f', 'json']))
    if rc != 0:
        raise RuntimeError('openstack %s: %s' % (' '.join(args), out))
    return json.loads(out)


def until(fn, what, timeout=30):
    """Poll fn() until it returns true (the API reflects the change)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
            if last:
                return True
        except Exception as e:  # noqa: BLE001 (report the last one)
            last = e
        time.sleep(0.5)
    return check(what, False, 'last: %r' % (last,))


def js_click(r, xpath):
    """Click an element (hidden in a row's dropdown or not)."""
    el = r.wait(lambda d: d.find_elements(By.XPATH, xpath), 30)[0]
    r.d.execute_script('arguments[0].click();', el)


def confirm(r):
    """Press the red button of Horizon's confirmation modal."""
    btn = r.wait(lambda d: [b for b in d.find_elements(
        By.CSS_SELECTOR, '.modal .btn-danger, .modal .btn-primary')
        if b.is_displayed()], 30)[0]
    btn.click()
    r.wait(lambda d: d.execute_script('return document.readyState')
           == 'complete')
    time.sleep(1)


def form_page(r, row_id, href_part, base, toggle=True):
    tr = "//tr[@data-object-id='%s']" % row_id
    return r.open_modal(
        tr + "//a[contains(@href,'/%s/%s')]" % (row_id, href_part),
        '%s/%s/%s' % (base, row_id, href_part),
        toggle_xpath=(tr + "//*[contains(@class,'dropdown-toggle')]")
        if toggle else None)


def set_text(r, elem_id, value):
    e = r.d.find_element(By.ID, elem_id)
    e.clear()
    e.send_keys(value)


def associate(r, base, vpn, network, router, who):
    # network
    form, how = form_page(r, vpn, 'create-network-association', base)
    chosen = r.select_by_text('id_network_resource', network['name'])
    if not check('%s-network-form' % who, chosen,
                 'no %s in the form' % network['name']):
        return
    r.submit(form)
    until(lambda: network['id'] in api('ks-admin', 'bgpvpn', 'show', vpn)
          ['Associated Networks'], '%s-network-associated' % who) and \
        check('%s-network-associated' % who, True)
    # router (a workflow: the router step, then Create)
    r.get(base + '/')
    form, how = form_page(r, vpn, 'create-router-association', base)
    chosen = r.select_by_text('id_router_resource', router['name'])
    if not check('%s-router-form' % who, chosen,
                 'no %s in the form' % router['name']):
        return
    r.submit(form)
    until(lambda: router['id'] in api('ks-admin', 'bgpvpn', 'show', vpn)
          ['Associated Routers'], '%s-router-associated' % who) and \
        check('%s-router-associated' % who, True)


def disassociate(r, base, vpn, who):
    for kind, tab in (('network', 'network_associations'),
                      ('router', 'router_associations')):
        assocs = api('ks-admin', 'bgpvpn', kind, 'association', 'list', vpn)
        if not assocs:
            check('%s-%s-disassociated' % (who, kind), False, 'none to delete')
            continue
        aid = assocs[0]['ID']
        r.get('%s/%s/detail/?tab=bgpvpn_tabs__%s_tab' % (base, vpn, tab))
        js_click(r, "//button[@name='action' and contains(@value,"
                 "'__delete__%s')]" % aid)
        confirm(r)
        until(lambda: not api('ks-admin', 'bgpvpn', kind, 'association',
                              'list', vpn),
              '%s-%s-disassociated' % (who, kind)) and \
            check('%s-%s-disassociated' % (who, kind), True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--url', default='http://127.0.0.1:8080')
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    demo = api('ks-admin', 'project', 'show', 'demo')['id']
    admin_project = api('ks-admin', 'project', 'show', 'admin')['id']
    net = api('ks-demo', 'network', 'create', 'hz-net')
    api('ks-demo', 'subnet', 'create', 'hz-sub', '--network', 'hz-net',
        '--subnet-range', '10.70.0.0/24')
    rtr = api('ks-demo', 'router', 'create', 'hz-router')
    anet = api('ks-admin', 'network', 'create', 'hz-admin-net')
    api('ks-admin', 'subnet', 'create', 'hz-admin-sub', '--network',
        'hz-admin-net', '--subnet-range', '10.71.0.0/24')
    artr = api('ks-admin', 'router', 'create', 'hz-admin-router')
    r = Run(a.url, a.out)
    made = []

    def create(name, project, project_id, rt):
        form, how = r.open_modal(
            "//a[contains(@class,'ajax-modal')]"
            "[contains(normalize-space(),'Create BGPVPN')]",
            '/admin/bgpvpn/create/')
        r.d.find_element(By.ID, 'id_name').send_keys(name)
        r.select_by_text('id_tenant_id', project)
        r.d.find_element(By.ID, 'id_route_targets').send_keys(rt)
        r.submit(form)
        vpns = [b for b in api('ks-admin', 'bgpvpn', 'list', '--long')
                if b['Name'] == name]
        if check('admin-create-for-%s' % project, len(vpns) == 1 and
                 vpns[0]['Project'] == project_id and
                 vpns[0]['Route Targets'] == [rt], vpns):
            made.append(vpns[0]['ID'])
            return vpns[0]['ID']
        raise RuntimeError('no BGPVPN %s' % name)

    try:
        # ---- admin panel
        check('admin-login', r.login('admin', 'admin'))
        # admin is a member of admin and demo: work in project admin (the
        # router form lists the routers of the session's project)
        r.get('/auth/switch/%s/?next=/admin/bgpvpn/' % admin_project)
        r.get('/admin/bgpvpn/')
        check('admin-list', r.d.find_elements(By.CSS_SELECTOR,
                                              'table.datatable'))
        avpn = create('hz-admin-vpn', 'admin', admin_project, '64512:4343')
        r.get('/admin/bgpvpn/')
        vpn = create('hz-vpn', 'demo', demo, '64512:4345')
        r.get('/admin/bgpvpn/')
        check('admin-list-shows-them', r.row('hz-admin-vpn') is not None and
              r.row('hz-vpn') is not None)

        form, how = form_page(r, avpn, 'edit', '/admin/bgpvpn', toggle=False)
        set_text(r, 'id_name', 'hz-admin-vpn-edited')
        set_text(r, 'id_route_targets', '64512:4344')
        r.submit(form)
        until(lambda: (lambda b: b['Name'] == 'hz-admin-vpn-edited' and
                       b['Route Targets'] == ['64512:4344'])(
            api('ks-admin', 'bgpvpn', 'show', avpn)), 'admin-edit') and \
            check('admin-edit', True)

        r.get('/admin/bgpvpn/')
        associate(r, '/admin/bgpvpn', avpn, anet, artr, 'admin')
        disassociate(r, '/admin/bgpvpn', avpn, 'admin')
        r.get('/auth/logout/')

        # ---- project panel
        check('demo-login', r.login('demo', 'demo'))
        r.get('/project/bgpvpn/')
        check('demo-list', r.row('hz-vpn') is not None and
              r.row('hz-admin-vpn-edited') is None)
        form, how = form_page(r, vpn, 'edit', '/project/bgpvpn', toggle=False)
        set_text(r, 'id_name', 'hz-vpn-demo')
        r.submit(form)
        until(lambda: api('ks-admin', 'bgpvpn', 'show', vpn)['Name']
              == 'hz-vpn-demo', 'demo-edit-name') and \
            check('demo-edit-name', True)
        r.get('/project/bgpvpn/')
        associate(r, '/project/bgpvpn', vpn, net, rtr, 'demo')
        disassociate(r, '/project/bgpvpn', vpn, 'demo')
        r.get('/auth/logout/')

        # ---- admin deletes both
        check('admin-login-again', r.login('admin', 'admin'))
        for v in (avpn, vpn):
            r.get('/admin/bgpvpn/')
            js_click(r, "//button[@name='action' and contains(@value,"
                     "'__delete__%s')]" % v)
            confirm(r)
            until(lambda: osc('ks-admin', 'bgpvpn', 'show', v)[0] != 0,
                  'admin-delete') and check('admin-delete', True)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        check('exception', False, '%s: %s' % (type(e).__name__, e))
        try:
            r.shot('exception')
        except Exception:  # noqa: BLE001
            pass
    finally:
        r.close()
        for v in made:
            osc('ks-admin', 'bgpvpn', 'delete', v)
        osc('ks-demo', 'router', 'delete', 'hz-router')
        osc('ks-demo', 'network', 'delete', 'hz-net')
        osc('ks-admin', 'router', 'delete', 'hz-admin-router')
        osc('ks-admin', 'network', 'delete', 'hz-admin-net')
    sys.exit(0 if RESULTS and all(RESULTS) else 1)


if __name__ == '__main__':
    main()
