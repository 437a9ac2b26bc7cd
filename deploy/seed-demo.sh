#!/usr/bin/env bash
# Loads the Heilongjiang demo catalogue, units and demo clients through the public API. Idempotent: an
# identical PUT changes nothing, and clients that exist already are left alone (their secrets were printed
# and saved to .local/demo-clients.env the first time).
# The codes are synthetic but carry valid GB 32100 / GB/T 36904 check characters.
set -euo pipefail
API="${OL_API_URL:-http://127.0.0.1:5000}"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLIENTS_FILE="${OL_CLIENTS_FILE:-$ROOT/.local/demo-clients.env}"
: "${OL_ADMIN_SECRET:?set OL_ADMIN_SECRET to the bootstrap admin secret}"

TOKEN=$(curl -fsS -d grant_type=client_credentials -d client_id=admin --data-urlencode "client_secret=$OL_ADMIN_SECRET" "$API/api/auth/token" \
  | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "could not obtain an admin token" >&2; exit 1; }

put() {
  local path="$1" body="$2" code
  code=$(curl -sS -o /tmp/ol-seed.$$ -w '%{http_code}' -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data "$body" "$API$path")
  if [ "$code" != 200 ]; then echo "PUT $path -> $code: $(cat /tmp/ol-seed.$$)" >&2; rm -f /tmp/ol-seed.$$; exit 1; fi
  rm -f /tmp/ol-seed.$$
  echo "  PUT $path"
}

echo "Catalogue:"
put /api/catalog/types/11230000000000019J001 '{"name":"食品经营许可证","definingAuthorityCode":"11230000000000019J","holderCategory":"organization",
 "fields":[{"key":"operatorName","name":"经营者名称","type":"string","required":true,"maxLength":100},
           {"key":"legalRepresentative","name":"法定代表人（负责人）","type":"string","required":true,"maxLength":50},
           {"key":"address","name":"经营场所","type":"string","required":true,"maxLength":200},
           {"key":"category","name":"主体业态","type":"enum","required":true,"values":["食品销售经营者","餐饮服务经营者","单位食堂"]},
           {"key":"scope","name":"经营项目","type":"string","maxLength":500}],
 "validity":{"years":5},"publicDisclosure":true,"publicFields":["operatorName","category","scope"],"sensitivity":"normal","multipleInstances":false}'
put /api/catalog/types/112300000000000433001 '{"name":"道路运输经营许可证","definingAuthorityCode":"112300000000000433","holderCategory":"organization",
 "fields":[{"key":"operatorName","name":"业户名称","type":"string","required":true,"maxLength":100},
           {"key":"address","name":"地址","type":"string","required":true,"maxLength":200},
           {"key":"businessScope","name":"经营范围","type":"string","required":true,"maxLength":500},
           {"key":"region","name":"所在地区","type":"regionCode","required":true}],
 "validity":{"years":4},"publicDisclosure":true,"publicFields":["operatorName","businessScope"],"sensitivity":"normal","multipleInstances":false}'
put /api/catalog/types/112300000000000358001 '{"name":"医师执业证书","definingAuthorityCode":"112300000000000358","holderCategory":"person",
 "fields":[{"key":"name","name":"姓名","type":"string","required":true,"maxLength":50},
           {"key":"idNumber","name":"身份证号","type":"idNumber","required":true},
           {"key":"practiceCategory","name":"执业类别","type":"enum","required":true,"values":["临床","中医","口腔","公共卫生"]},
           {"key":"practiceScope","name":"执业范围","type":"string","required":true,"maxLength":100},
           {"key":"practicePlace","name":"执业地点","type":"string","required":true,"maxLength":200}],
 "validity":{"longTerm":true},"publicDisclosure":false,"publicFields":[],"sensitivity":"personal","multipleInstances":false}'
put /api/catalog/types/11230000000000051X001 '{"name":"不动产权证书","definingAuthorityCode":"11230000000000051X","holderCategory":"any",
 "fields":[{"key":"owner","name":"权利人","type":"string","required":true,"maxLength":100},
           {"key":"location","name":"坐落","type":"string","required":true,"maxLength":200},
           {"key":"unitNumber","name":"不动产单元号","type":"string","required":true,"pattern":"^[0-9]{12}[A-Z]{2}[0-9]{5}[A-Z][0-9]{8}$"},
           {"key":"area","name":"面积（平方米）","type":"number","required":true},
           {"key":"registeredOn","name":"登记日期","type":"date","required":true}],
 "validity":{"longTerm":true},"publicDisclosure":false,"publicFields":[],"sensitivity":"personal","multipleInstances":true}'

echo "Units:"
put /api/units/1123000000000006XM '{"name":"黑龙江省营商环境建设监督局（电子证照库运营）","regionCode":"230000","level":"province"}'
put /api/units/11230000000000019J '{"name":"黑龙江省市场监督管理局","regionCode":"230000","level":"province","issuableTypes":["11230000000000019J001"]}'
put /api/units/112300000000000433 '{"name":"黑龙江省交通运输厅","regionCode":"230000","level":"province","issuableTypes":["112300000000000433001"]}'
put /api/units/112300000000000358 '{"name":"黑龙江省卫生健康委员会","regionCode":"230000","level":"province","issuableTypes":["112300000000000358001"]}'
put /api/units/11230000000000051X '{"name":"黑龙江省自然资源厅","regionCode":"230000","level":"province","issuableTypes":["11230000000000051X001"]}'
put /api/units/11230100000000027J '{"name":"哈尔滨市市场监督管理局","regionCode":"230100","level":"city","parentUnitCode":"11230000000000019J","issuableTypes":["11230000000000019J001"],
 "scope":[{"matterCode":"230100-FOOD-001","matterName":"食品经营许可变更","licenseTypes":["11230000000000019J001"]}]}'
put /api/units/1123010000000006XT '{"name":"哈尔滨市交通运输局","regionCode":"230100","level":"city","parentUnitCode":"112300000000000433","issuableTypes":["112300000000000433001"]}'
put /api/units/112301000000000513 '{"name":"哈尔滨市卫生健康委员会","regionCode":"230100","level":"city","parentUnitCode":"112300000000000358","issuableTypes":["112300000000000358001"]}'
put /api/units/112301000000000438 '{"name":"哈尔滨市自然资源和规划局","regionCode":"230100","level":"city","parentUnitCode":"11230000000000051X","issuableTypes":["11230000000000051X001"]}'
put /api/units/11230100000000035D '{"name":"哈尔滨市政务服务中心","regionCode":"230100","level":"city","parentUnitCode":"1123000000000006XM",
 "scope":[{"matterCode":"230100-FOOD-001","matterName":"食品经营许可变更","licenseTypes":["11230000000000019J001"]},
          {"matterCode":"230100-TRANS-002","matterName":"道路运输经营许可变更","licenseTypes":["112300000000000433001"]},
          {"matterCode":"230100-MED-003","matterName":"医疗机构执业登记","licenseTypes":["112300000000000358001"]}]}'
put /api/units/11230200000000027P '{"name":"齐齐哈尔市市场监督管理局","regionCode":"230200","level":"city","parentUnitCode":"11230000000000019J","issuableTypes":["11230000000000019J001"]}'
put /api/units/11230200000000035J '{"name":"齐齐哈尔市政务服务中心","regionCode":"230200","level":"city","parentUnitCode":"1123000000000006XM",
 "scope":[{"matterCode":"230200-FOOD-001","matterName":"食品经营许可变更","licenseTypes":["11230000000000019J001"]}]}'

echo "Demo clients:"
mkdir -p "$(dirname "$CLIENTS_FILE")"; touch "$CLIENTS_FILE"; chmod 600 "$CLIENTS_FILE"
client() {
  local id="$1" role="$2" unit="$3" code
  if grep -q "^$id=" "$CLIENTS_FILE"; then echo "  $id (already registered)"; return; fi
  code=$(curl -sS -o /tmp/ol-seed.$$ -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data "{\"clientId\":\"$id\",\"name\":\"$id\",\"role\":\"$role\",\"unitCode\":\"$unit\"}" "$API/api/clients")
  if [ "$code" = 201 ]; then
    echo "$id=$(sed -n 's/.*"clientSecret":"\([^"]*\)".*/\1/p' /tmp/ol-seed.$$)" >>"$CLIENTS_FILE"
    echo "  $id registered"
  elif [ "$code" = 409 ]; then
    echo "  $id exists, but its secret is not in $CLIENTS_FILE (shown only once)"
  else
    echo "POST /api/clients $id -> $code: $(cat /tmp/ol-seed.$$)" >&2; rm -f /tmp/ol-seed.$$; exit 1
  fi
  rm -f /tmp/ol-seed.$$
}
client demo-hrb-market-issuer issuer 11230100000000027J
client demo-hrb-centre-verifier verifier 11230100000000035D
client demo-qqh-market-issuer issuer 11230200000000027P
echo "Demo client secrets are in $CLIENTS_FILE:"
sed 's/^/  /' "$CLIENTS_FILE"

# One demo licence, so the pages' walk-through (present → verify → see the use) works on a fresh platform: the food
# business licence of the demo company, issued by the Harbin market regulator's demo client. Idempotent: a fixed
# serial, so a second run finds the licence there (409) and leaves it alone.
echo "Demo licence:"
ISSUER_SECRET=$(sed -n 's/^demo-hrb-market-issuer=//p' "$CLIENTS_FILE")
if [ -z "$ISSUER_SECRET" ]; then
  echo "  skipped: the secret of demo-hrb-market-issuer is not in $CLIENTS_FILE"
else
  ISSUER_TOKEN=$(curl -fsS -d grant_type=client_credentials -d client_id=demo-hrb-market-issuer --data-urlencode "client_secret=$ISSUER_SECRET" "$API/api/auth/token" \
    | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
  code=$(curl -sS -o /tmp/ol-seed.$$ -w '%{http_code}' -H "Authorization: Bearer $ISSUER_TOKEN" -H 'Content-Type: application/json' \
    -H 'Idempotency-Key: demo-food-licence-1' \
    --data '{"typeCode":"11230000000000019J001","serial":"DEMO000001",
             "holder":{"idType":"001","idNumber":"91230102MA1B2C3D8J","name":"哈尔滨示例餐饮有限公司"},
             "fields":{"operatorName":"哈尔滨示例餐饮有限公司","legalRepresentative":"张三","address":"哈尔滨市南岗区示例路1号",
                       "category":"餐饮服务经营者","scope":"热食类食品制售"},
             "validFrom":"'"$(TZ=Asia/Shanghai date +%F)"'"}' "$API/api/licenses")
  case "$code" in
    201|200) echo "  issued $(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' /tmp/ol-seed.$$ | head -n 1) to 91230102MA1B2C3D8J (哈尔滨示例餐饮有限公司)" ;;
    409) echo "  the demo company's licence exists already" ;;
    *) echo "POST /api/licenses -> $code: $(cat /tmp/ol-seed.$$)" >&2; rm -f /tmp/ol-seed.$$; exit 1 ;;
  esac
  rm -f /tmp/ol-seed.$$
fi
